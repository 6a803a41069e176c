# migsafe-test: rules=default,backfill-in-transaction,multiple-strong-locks,missing-lock-timeout,bare-commit
"""default priority

Revision ID: b1c596336da2
Revises: 4b288f2e1693
Create Date: 2024-03-05 11:22:33.000000

"""
from alembic import op
import sqlalchemy as sa

revision = 'b1c596336da2'
down_revision = '4b288f2e1693'
branch_labels = None
depends_on = None


def upgrade():
    op.execute("ALTER TABLE tickets ALTER COLUMN priority SET DEFAULT 'normal'")  # expect: missing-lock-timeout


def downgrade():
    pass
