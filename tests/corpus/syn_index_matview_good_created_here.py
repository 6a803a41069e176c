# migsafe-test: rules=index-not-concurrent,multiple-strong-locks
"""daily order totals, ready for concurrent refresh

Revision ID: 3c5a7e9b1d24
Revises: 8f2d4b6a0c13
Create Date: 2024-05-14 09:12:45.000000

"""
from alembic import op
import sqlalchemy as sa

revision = '3c5a7e9b1d24'
down_revision = '8f2d4b6a0c13'
branch_labels = None
depends_on = None


def upgrade():
    # Filled by its query, but invisible to every other session until this transaction commits: the
    # unique index (needed by REFRESH ... CONCURRENTLY) blocks nobody.
    op.execute(
        "CREATE MATERIALIZED VIEW order_daily_totals AS "
        "SELECT date_trunc('day', placed_at) AS day, count(*) AS orders, sum(amount) AS amount "
        "FROM orders GROUP BY 1"
    )
    op.execute("CREATE UNIQUE INDEX ux_order_daily_totals_day ON order_daily_totals (day)")
    op.create_index('ix_order_daily_totals_amount', 'order_daily_totals', ['amount'])


def downgrade():
    op.execute("DROP MATERIALIZED VIEW order_daily_totals")
