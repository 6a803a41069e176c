# migsafe-test: rules=refresh-matview-not-concurrent
"""refresh concurrently

Revision ID: fab9b57a6653
Revises: 5bef3e043ba7
Create Date: 2024-03-05 11:22:33.000000

"""
from alembic import op
import sqlalchemy as sa

revision = 'fab9b57a6653'
down_revision = '5bef3e043ba7'
branch_labels = None
depends_on = None


def upgrade():
    op.execute("REFRESH MATERIALIZED VIEW CONCURRENTLY ticket_daily_stats")


def downgrade():
    pass
