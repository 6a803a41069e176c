# migsafe-test: rules=reindex-not-concurrent,concurrent-index-in-transaction
"""rebuild concurrently

Revision ID: a1e1f155c1f1
Revises: d18a32f9b594
Create Date: 2024-03-05 11:22:33.000000

"""
from alembic import op
import sqlalchemy as sa

revision = 'a1e1f155c1f1'
down_revision = 'd18a32f9b594'
branch_labels = None
depends_on = None


def upgrade():
    with op.get_context().autocommit_block():
        op.execute("REINDEX INDEX CONCURRENTLY ix_tickets_created_at")
        op.execute("REINDEX (VERBOSE) TABLE CONCURRENTLY tickets")


def downgrade():
    pass
