# migsafe-test: rules=default,backfill-in-transaction,multiple-strong-locks,missing-lock-timeout,bare-commit
"""seed default settings

Revision ID: 6471ba87726e
Revises: 4fe6e9fc1871
Create Date: 2024-03-05 11:22:33.000000

"""
from alembic import op
import sqlalchemy as sa

revision = '6471ba87726e'
down_revision = '4fe6e9fc1871'
branch_labels = None
depends_on = None


def upgrade():
    op.execute("INSERT INTO feature_flags (name, enabled) SELECT 'dark_mode', false")


def downgrade():
    pass
