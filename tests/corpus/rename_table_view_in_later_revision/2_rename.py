"""members -> users

Revision ID: c0d1e2f3a4b7
Revises: b9c0d1e2f3a6
Create Date: 2022-04-01 00:00:00.000000

"""
from alembic import op

revision = 'c0d1e2f3a4b7'
down_revision = 'b9c0d1e2f3a6'
branch_labels = None
depends_on = None


def upgrade():
    op.rename_table('members', 'users')  # expect: rename-table


def downgrade():
    op.rename_table('users', 'members')
