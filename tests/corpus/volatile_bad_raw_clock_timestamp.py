"""track when rows were imported

Revision ID: 2f3a4b5c6d9a
Revises: 1e2f3a4b5c8f
Create Date: 2025-04-07 09:00:00.000000

"""
from alembic import op

revision = '2f3a4b5c6d9a'
down_revision = '1e2f3a4b5c8f'
branch_labels = None
depends_on = None


def upgrade():
    op.execute("alter table ledger_entries add column imported_at timestamptz not null default clock_timestamp()")  # expect: volatile-default


def downgrade():
    op.execute("alter table ledger_entries drop column imported_at")
