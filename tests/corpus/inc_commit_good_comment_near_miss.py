# migsafe-test: rules=default,backfill-in-transaction,multiple-strong-locks,missing-lock-timeout,bare-commit
"""comment mentioning commit

Revision ID: 6ec140bd70ca
Revises: 888999fa441b
Create Date: 2024-03-05 11:22:33.000000

"""
from alembic import op
import sqlalchemy as sa

revision = '6ec140bd70ca'
down_revision = '888999fa441b'
branch_labels = None
depends_on = None


def upgrade():
    op.execute("COMMENT ON COLUMN deployments.commit_sha IS 'git commit of the deployed build'")


def downgrade():
    pass
