# migsafe-test: rules=default,backfill-in-transaction,multiple-strong-locks,missing-lock-timeout,bare-commit
"""savepoint around optional step

Revision ID: 4f29f7ed5c95
Revises: ec9023ac7025
Create Date: 2024-03-05 11:22:33.000000

"""
from alembic import op
import sqlalchemy as sa

revision = '4f29f7ed5c95'
down_revision = 'ec9023ac7025'
branch_labels = None
depends_on = None


def upgrade():
    op.execute("SAVEPOINT before_ext")
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.execute("RELEASE SAVEPOINT before_ext")


def downgrade():
    pass
