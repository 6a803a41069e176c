# migsafe-test: rules=default,backfill-in-transaction,multiple-strong-locks,missing-lock-timeout,bare-commit
# migsafe-test: pg-version=11
"""add on_hold order status outside the transaction

Revision ID: 0ad87d34304a
Revises: 776960cef621
Create Date: 2024-03-05 11:22:33.000000

"""
from alembic import op
import sqlalchemy as sa

revision = '0ad87d34304a'
down_revision = '776960cef621'
branch_labels = None
depends_on = None


def upgrade():
    with op.get_context().autocommit_block():
        op.execute("ALTER TYPE order_status ADD VALUE IF NOT EXISTS 'on_hold'")


def downgrade():
    pass
