# migsafe-test: rules=default,backfill-in-transaction,multiple-strong-locks,missing-lock-timeout,bare-commit
"""raw backfill then not null (classic outage)

Revision ID: 6a82f90cb9c7
Revises: d968e8806bb9
Create Date: 2024-03-05 11:22:33.000000

"""
from alembic import op
import sqlalchemy as sa

revision = '6a82f90cb9c7'
down_revision = 'd968e8806bb9'
branch_labels = None
depends_on = None


def upgrade():
    op.execute("SET lock_timeout = '5s'")
    op.execute("ALTER TABLE orders ADD COLUMN currency varchar(3)")
    op.execute("UPDATE orders SET currency = 'USD'")  # expect: backfill-in-transaction
    op.execute("ALTER TABLE orders ALTER COLUMN currency SET NOT NULL")  # expect: set-not-null


def downgrade():
    pass
