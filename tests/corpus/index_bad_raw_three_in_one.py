"""reporting indexes on orders

Revision ID: 7b8c9d0e1f2a
Revises: 6a7b8c9d0e1f
Create Date: 2024-02-19 17:45:00.000000

"""
from alembic import op

revision = '7b8c9d0e1f2a'
down_revision = '6a7b8c9d0e1f'
branch_labels = None
depends_on = None


def upgrade():
    op.execute(  # expect: index-not-concurrent, index-not-concurrent, index-not-concurrent
        """
        CREATE INDEX ix_orders_created_at ON orders (created_at);
        CREATE INDEX ix_orders_customer_id_status ON orders (customer_id, status);
        -- partial index for the open-orders dashboard
        CREATE INDEX ix_orders_open ON orders (updated_at) WHERE status <> 'closed';
        """
    )


def downgrade():
    op.execute("DROP INDEX ix_orders_open; DROP INDEX ix_orders_customer_id_status; DROP INDEX ix_orders_created_at")
