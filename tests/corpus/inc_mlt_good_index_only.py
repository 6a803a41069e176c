# migsafe-test: rules=default,backfill-in-transaction,multiple-strong-locks,missing-lock-timeout,bare-commit
"""plain index (SHARE, not access exclusive)

Revision ID: 57693913164d
Revises: bdb93255e36c
Create Date: 2024-03-05 11:22:33.000000

"""
from alembic import op
import sqlalchemy as sa

revision = '57693913164d'
down_revision = 'bdb93255e36c'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_shipments_tracking', 'shipments', ['tracking_number'])  # expect: index-not-concurrent


def downgrade():
    pass
