# migsafe-test: rules=index-not-concurrent
"""orders and their daily totals

Revision ID: 5e1b9d3f7a60
Revises:
Create Date: 2024-05-14 09:12:45.000000

"""
from alembic import op
import sqlalchemy as sa

revision = '5e1b9d3f7a60'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'orders',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('placed_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('amount', sa.Numeric(12, 2), nullable=False),
    )
    op.execute(
        "CREATE MATERIALIZED VIEW order_daily_totals AS "
        "SELECT date_trunc('day', placed_at) AS day, count(*) AS orders FROM orders GROUP BY 1"
    )


def downgrade():
    op.execute("DROP MATERIALIZED VIEW order_daily_totals")
    op.drop_table('orders')
