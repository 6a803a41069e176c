# migsafe-test: rules=default,backfill-in-transaction,multiple-strong-locks,missing-lock-timeout,bare-commit
"""SET LOCAL inside autocommit has no effect

Revision ID: 50754c55727b
Revises: 057262e78d70
Create Date: 2024-03-05 11:22:33.000000

"""
from alembic import op
import sqlalchemy as sa

revision = '50754c55727b'
down_revision = '057262e78d70'
branch_labels = None
depends_on = None


def upgrade():
    with op.get_context().autocommit_block():
        op.execute("SET LOCAL lock_timeout = '5s'")
        op.execute("ALTER TABLE invoices ADD COLUMN paid_at timestamptz")  # expect: missing-lock-timeout


def downgrade():
    pass
