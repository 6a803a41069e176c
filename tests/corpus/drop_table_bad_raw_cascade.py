"""drop audit_trail (replaced by audit_events)

Revision ID: 0d1e2f3a4b8f
Revises: 9c0d1e2f3a7e
Create Date: 2025-07-28 09:00:00.000000

"""
from alembic import op

revision = '0d1e2f3a4b8f'
down_revision = '9c0d1e2f3a7e'
branch_labels = None
depends_on = None


def upgrade():
    op.execute("drop table if exists public.audit_trail cascade")  # expect: drop-table
    op.execute("DROP TABLE tmp_migration_2019, tmp_migration_2020")  # expect: drop-table


def downgrade():
    pass
