# migsafe-test: rules=refresh-matview-not-concurrent
"""unique index added, refresh still plain

Revision ID: ad6f1d9a9c78
Revises: da91c0dd1d63
Create Date: 2024-03-05 11:22:33.000000

"""
from alembic import op
import sqlalchemy as sa

revision = 'ad6f1d9a9c78'
down_revision = 'da91c0dd1d63'
branch_labels = None
depends_on = None


def upgrade():
    with op.get_context().autocommit_block():
        op.create_index('ux_stats_day', 'ticket_daily_stats', ['day'], unique=True, postgresql_concurrently=True)
    op.execute("REFRESH MATERIALIZED VIEW ticket_daily_stats")  # expect: refresh-matview-not-concurrent


def downgrade():
    pass
