"""index tickets.assignee_id (in an autocommit block, but not concurrently)

Revision ID: 2c3d4e5f6a7c
Revises: f0a1b2c3d4e6
Create Date: 2025-01-07 09:00:00.000000

"""
from alembic import op

revision = '2c3d4e5f6a7c'
down_revision = 'f0a1b2c3d4e6'
branch_labels = None
depends_on = None


def upgrade():
    with op.get_context().autocommit_block():
        op.create_index('ix_tickets_assignee_id', 'tickets', ['assignee_id'])  # expect: index-not-concurrent
        op.drop_index('ix_tickets_assignee', table_name='tickets', if_exists=True)  # expect: drop-index-not-concurrent


def downgrade():
    pass
