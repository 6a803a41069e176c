# migsafe-test: rules=default,backfill-in-transaction,multiple-strong-locks,missing-lock-timeout,bare-commit
"""index orders concurrently

Revision ID: af4f6dd05028
Revises: cbaccab81276
Create Date: 2024-03-05 11:22:33.000000

"""
from alembic import op
import sqlalchemy as sa

from myapp.models import Order  # noqa: F401

revision = 'af4f6dd05028'
down_revision = 'cbaccab81276'
branch_labels = None
depends_on = None


def upgrade():
    with op.get_context().autocommit_block():
        op.create_index('ix_orders_placed_at', 'orders', ['placed_at'], postgresql_concurrently=True)


def downgrade():
    pass
