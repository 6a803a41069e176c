"""index orders by external id

Revision ID: e7f8a9b0c1d3
Revises: b4c5d6e7f8a0
Create Date: 2024-10-15 09:00:00.000000

"""
from alembic import op

revision = 'e7f8a9b0c1d3'
down_revision = 'b4c5d6e7f8a0'
branch_labels = None
depends_on = None


def upgrade():
    conn = op.get_bind()
    conn.exec_driver_sql("CREATE INDEX ix_orders_external_id ON orders (external_id)")  # expect: index-not-concurrent


def downgrade():
    op.get_bind().exec_driver_sql("DROP INDEX ix_orders_external_id")
