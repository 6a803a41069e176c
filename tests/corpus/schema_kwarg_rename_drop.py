"""reporting schema cleanup

Revision ID: d8e9f0a1b2c4
Revises: c7d8e9f0a1b3
Create Date: 2024-12-10 09:00:00.000000

"""
from alembic import op

revision = 'd8e9f0a1b2c4'
down_revision = 'c7d8e9f0a1b3'
branch_labels = None
depends_on = None


def upgrade():
    op.rename_table('daily_totals', 'daily_revenue', schema='reporting')  # expect: rename-table
    op.drop_table('weekly_totals', schema='reporting')  # expect: drop-table
    op.drop_column('daily_revenue', 'legacy_total', schema='reporting')  # expect: drop-column


def downgrade():
    pass
