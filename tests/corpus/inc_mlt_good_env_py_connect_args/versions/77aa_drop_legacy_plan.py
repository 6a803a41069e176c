"""drop obsolete column

Revision ID: 77aa00bb22cc
Revises: f8a5d475b0d9
Create Date: 2024-03-05 11:22:33.000000

"""
from alembic import op
import sqlalchemy as sa

revision = '77aa00bb22cc'
down_revision = 'f8a5d475b0d9'
branch_labels = None
depends_on = None


def upgrade():
    op.drop_column('accounts', 'legacy_plan')  # expect: drop-column


def downgrade():
    pass
