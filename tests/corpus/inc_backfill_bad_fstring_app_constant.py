# migsafe-test: rules=default,backfill-in-transaction,multiple-strong-locks,missing-lock-timeout,bare-commit
"""reset free plan quotas

Revision ID: 826fa454bc21
Revises: d0e372d9aed5
Create Date: 2024-03-05 11:22:33.000000

"""
from alembic import op
import sqlalchemy as sa

from myapp.settings import FREE_SEAT_LIMIT

revision = '826fa454bc21'
down_revision = 'd0e372d9aed5'
branch_labels = None
depends_on = None


def upgrade():
    op.execute(f"UPDATE workspaces SET seat_limit = {FREE_SEAT_LIMIT} WHERE plan = 'free'")  # expect: backfill-in-transaction


def downgrade():
    pass
