# migsafe-test: rules=table-rewrite-command
"""reclaim space

Revision ID: 5b5d98b81d20
Revises: 1a40c0bbdf8a
Create Date: 2024-03-05 11:22:33.000000

"""
from alembic import op
import sqlalchemy as sa

revision = '5b5d98b81d20'
down_revision = '1a40c0bbdf8a'
branch_labels = None
depends_on = None


def upgrade():
    with op.get_context().autocommit_block():
        op.execute("VACUUM FULL ticket_events")  # expect: table-rewrite-command


def downgrade():
    pass
