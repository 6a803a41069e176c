"""add evening delivery window

Revision ID: 1b2c3d4e5f6b
Revises: 0a1b2c3d4e5a
Create Date: 2019-02-01 00:10:00.000000

"""
from alembic import op

revision = '1b2c3d4e5f6b'
down_revision = '0a1b2c3d4e5a'
branch_labels = None
depends_on = None


def upgrade():
    # same `alembic upgrade` transaction as the CREATE TYPE (transaction_per_migration=False)
    op.execute("ALTER TYPE delivery_window ADD VALUE 'evening'")


def downgrade():
    pass
