# migsafe-test: rules=refresh-matview-not-concurrent
"""refresh stats

Revision ID: e38a10fe3d60
Revises: 31d0375cc36a
Create Date: 2024-03-05 11:22:33.000000

"""
from alembic import op
import sqlalchemy as sa

revision = 'e38a10fe3d60'
down_revision = '31d0375cc36a'
branch_labels = None
depends_on = None


def upgrade():
    op.execute("REFRESH MATERIALIZED VIEW ticket_daily_stats")  # expect: refresh-matview-not-concurrent


def downgrade():
    pass
