"""orders -> purchase_orders

Revision ID: 8d9e0f1a2b5e
Revises: 7c8d9e0f1a4d
Create Date: 2025-06-02 09:00:00.000000

"""
from alembic import op

revision = '8d9e0f1a2b5e'
down_revision = '7c8d9e0f1a4d'
branch_labels = None
depends_on = None


def upgrade():
    op.execute("ALTER TABLE IF EXISTS sales.orders RENAME TO purchase_orders")  # expect: rename-table


def downgrade():
    op.execute("ALTER TABLE IF EXISTS sales.purchase_orders RENAME TO orders")
