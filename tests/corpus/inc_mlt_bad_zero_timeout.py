# migsafe-test: rules=default,backfill-in-transaction,multiple-strong-locks,missing-lock-timeout,bare-commit
"""lock timeout disabled then rename

Revision ID: 4406b5b36eb9
Revises: 3107beb1a4fa
Create Date: 2024-03-05 11:22:33.000000

"""
from alembic import op
import sqlalchemy as sa

revision = '4406b5b36eb9'
down_revision = '3107beb1a4fa'
branch_labels = None
depends_on = None


def upgrade():
    op.execute("SET lock_timeout = 0")
    op.rename_table('reports', 'saved_reports')  # expect: rename-table, missing-lock-timeout


def downgrade():
    pass
