"""add 'archived' project state

Revision ID: 7c0e2a4b6d8f
Revises: f1e3d5c7b9a0
Create Date: 2024-07-01 10:00:00.000000

"""
from alembic import op

revision = '7c0e2a4b6d8f'
down_revision = 'f1e3d5c7b9a0'
branch_labels = None
depends_on = None


def upgrade():
    op.execute("ALTER TYPE project_state ADD VALUE IF NOT EXISTS 'archived'")


def downgrade():
    pass
