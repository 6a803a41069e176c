# migsafe-test: rules=default,backfill-in-transaction,multiple-strong-locks,missing-lock-timeout,bare-commit
# migsafe-test: pg-version=11
"""add on_hold order status

Revision ID: a2cb2a3b1d7e
Revises: 7addf36c94d1
Create Date: 2024-03-05 11:22:33.000000

"""
from alembic import op
import sqlalchemy as sa

revision = 'a2cb2a3b1d7e'
down_revision = '7addf36c94d1'
branch_labels = None
depends_on = None


def upgrade():
    op.execute("ALTER TYPE order_status ADD VALUE 'on_hold'")  # expect: enum-add-value-in-transaction


def downgrade():
    pass
