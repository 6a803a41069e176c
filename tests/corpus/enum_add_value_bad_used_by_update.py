"""orders: add shipped status and backfill it

Revision ID: 0f3c8a6e2d51
Revises: c1b7e9d4a3f2
Create Date: 2024-03-05 16:20:08.000000

"""
from alembic import op

revision = '0f3c8a6e2d51'
down_revision = 'c1b7e9d4a3f2'
branch_labels = None
depends_on = None


def upgrade():
    op.execute("ALTER TYPE order_status ADD VALUE IF NOT EXISTS 'shipped'")  # expect: enum-add-value-in-transaction
    op.execute(
        """
        UPDATE orders
           SET status = 'shipped'
         WHERE shipped_at IS NOT NULL
           AND status = 'paid'
        """
    )


def downgrade():
    op.execute("UPDATE orders SET status = 'paid' WHERE status = 'shipped'")
