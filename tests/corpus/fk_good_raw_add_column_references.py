"""orders may use a coupon

Revision ID: 5a6b7c8d9e1a
Revises: 4f5a6b7c8d0f
Create Date: 2025-01-27 09:00:00.000000

"""
from alembic import op

revision = '5a6b7c8d9e1a'
down_revision = '4f5a6b7c8d0f'
branch_labels = None
depends_on = None


def upgrade():
    # a new all-NULL column: PostgreSQL marks the foreign key valid without scanning
    op.execute("ALTER TABLE orders ADD COLUMN coupon_id integer REFERENCES coupons (id) ON DELETE SET NULL")


def downgrade():
    op.execute("ALTER TABLE orders DROP COLUMN coupon_id")
