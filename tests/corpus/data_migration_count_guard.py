"""backfill order numbers when the table is small enough

Revision ID: c6d7e8f9a0b3
Revises: b5c6d7e8f9a2
Create Date: 2025-03-18 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

revision = 'c6d7e8f9a0b3'
down_revision = 'b5c6d7e8f9a2'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('orders', sa.Column('order_number', sa.String(length=20), nullable=True))
    conn = op.get_bind()
    total = conn.execute(sa.text("SELECT count(*) FROM orders")).scalar_one()
    if total < 50_000:
        conn.execute(sa.text("UPDATE orders SET order_number = 'ORD-' || lpad(id::text, 8, '0')"))
    op.create_index('ix_orders_order_number', 'orders', ['order_number'])  # expect: index-not-concurrent


def downgrade():
    op.drop_index('ix_orders_order_number', table_name='orders')
    op.drop_column('orders', 'order_number')
