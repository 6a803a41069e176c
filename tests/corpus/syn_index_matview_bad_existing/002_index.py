"""unique index for concurrent refresh, built later

Revision ID: 9a4c2e6b8d17
Revises: 5e1b9d3f7a60
Create Date: 2024-06-02 15:40:02.000000

"""
from alembic import op
import sqlalchemy as sa

revision = '9a4c2e6b8d17'
down_revision = '5e1b9d3f7a60'
branch_labels = None
depends_on = None


def upgrade():
    op.execute("CREATE UNIQUE INDEX ux_order_daily_totals_day ON order_daily_totals (day)")  # expect: index-not-concurrent


def downgrade():
    op.execute("DROP INDEX ux_order_daily_totals_day")
