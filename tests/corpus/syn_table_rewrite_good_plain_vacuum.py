# migsafe-test: rules=table-rewrite-command
"""vacuum analyze after purge

Revision ID: 5c57aa9acc2e
Revises: 4674b3c296cb
Create Date: 2024-03-05 11:22:33.000000

"""
from alembic import op
import sqlalchemy as sa

revision = '5c57aa9acc2e'
down_revision = '4674b3c296cb'
branch_labels = None
depends_on = None


def upgrade():
    with op.get_context().autocommit_block():
        op.execute("VACUUM ANALYZE ticket_events")
        op.execute("ANALYZE tickets")


def downgrade():
    pass
