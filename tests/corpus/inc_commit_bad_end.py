# migsafe-test: rules=default,backfill-in-transaction,multiple-strong-locks,missing-lock-timeout,bare-commit
"""END before vacuum

Revision ID: 3cf17cef8ad2
Revises: e23aac1750ec
Create Date: 2024-03-05 11:22:33.000000

"""
from alembic import op
import sqlalchemy as sa

revision = '3cf17cef8ad2'
down_revision = 'e23aac1750ec'
branch_labels = None
depends_on = None


def upgrade():
    op.execute("CREATE TABLE log_archive (id integer PRIMARY KEY)")
    op.execute("END")  # expect: bare-commit
    op.execute("CREATE INDEX CONCURRENTLY ix_logs_created_at ON logs (created_at)")


def downgrade():
    pass
