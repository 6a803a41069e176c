"""add 'shipped' order status and backfill it

Revision ID: 8a1c3e5f7b9d
Revises: 0f3c8a6e2d51
Create Date: 2024-03-06 09:10:00.000000

"""
from alembic import op

revision = '8a1c3e5f7b9d'
down_revision = '0f3c8a6e2d51'
branch_labels = None
depends_on = None


def upgrade():
    with op.get_context().autocommit_block():
        op.execute("ALTER TYPE order_status ADD VALUE IF NOT EXISTS 'shipped'")
    op.execute("UPDATE orders SET status = 'shipped' WHERE shipped_at IS NOT NULL AND status = 'paid'")


def downgrade():
    op.execute("UPDATE orders SET status = 'paid' WHERE status = 'shipped'")
