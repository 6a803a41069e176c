# migsafe-test: rules=reindex-not-concurrent,concurrent-index-in-transaction
"""reindex schema

Revision ID: f8e94c6a1d10
Revises: 219651aa62e1
Create Date: 2024-03-05 11:22:33.000000

"""
from alembic import op
import sqlalchemy as sa

revision = 'f8e94c6a1d10'
down_revision = '219651aa62e1'
branch_labels = None
depends_on = None


def upgrade():
    with op.get_context().autocommit_block():
        op.execute("REINDEX SCHEMA public")  # expect: reindex-not-concurrent


def downgrade():
    pass
