# migsafe-test: rules=default,backfill-in-transaction,multiple-strong-locks,missing-lock-timeout,bare-commit
"""stray COMMIT inside autocommit block

Revision ID: 4f22eeb33b81
Revises: 4421c3601542
Create Date: 2024-03-05 11:22:33.000000

"""
from alembic import op
import sqlalchemy as sa

revision = '4f22eeb33b81'
down_revision = '4421c3601542'
branch_labels = None
depends_on = None


def upgrade():
    with op.get_context().autocommit_block():
        op.execute("COMMIT")
        op.execute("CREATE INDEX CONCURRENTLY IF NOT EXISTS ix_logs_created_at ON logs (created_at)")


def downgrade():
    pass
