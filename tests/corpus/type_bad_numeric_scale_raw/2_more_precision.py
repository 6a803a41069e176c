"""fx rates need six decimals

Revision ID: 0f1a2b3c4d5f
Revises: 9e0f1a2b3c4e
Create Date: 2022-08-01 00:00:00.000000

"""
from alembic import op

revision = '0f1a2b3c4d5f'
down_revision = '9e0f1a2b3c4e'
branch_labels = None
depends_on = None


def upgrade():
    op.execute("ALTER TABLE fx_rates ALTER COLUMN rate TYPE numeric(16, 6)")  # expect: column-type-rewrite
    op.execute("ALTER TABLE fx_rates ALTER COLUMN spread TYPE numeric(14, 4)")


def downgrade():
    op.execute("ALTER TABLE fx_rates ALTER COLUMN rate TYPE numeric(10, 2)")
