# migsafe-test: rules=default,backfill-in-transaction,multiple-strong-locks,missing-lock-timeout,bare-commit
"""session lock_timeout inside autocommit

Revision ID: 8c41f7952c72
Revises: 140254988078
Create Date: 2024-03-05 11:22:33.000000

"""
from alembic import op
import sqlalchemy as sa

revision = '8c41f7952c72'
down_revision = '140254988078'
branch_labels = None
depends_on = None


def upgrade():
    with op.get_context().autocommit_block():
        op.execute("SET lock_timeout = '5s'")
        op.execute("ALTER TABLE invoices ADD COLUMN paid_at timestamptz")


def downgrade():
    pass
