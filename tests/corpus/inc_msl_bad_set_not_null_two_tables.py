# migsafe-test: rules=default,backfill-in-transaction,multiple-strong-locks,missing-lock-timeout,bare-commit
"""require tenant on two tables

Revision ID: e3e22fb0e54a
Revises: 83447662f4cd
Create Date: 2024-03-05 11:22:33.000000

"""
from alembic import op
import sqlalchemy as sa

revision = 'e3e22fb0e54a'
down_revision = '83447662f4cd'
branch_labels = None
depends_on = None


def upgrade():
    op.alter_column('documents', 'tenant_id', existing_type=sa.Integer(), nullable=False)  # expect: set-not-null, missing-lock-timeout
    op.alter_column('folders', 'tenant_id', existing_type=sa.Integer(), nullable=False)  # expect: set-not-null, multiple-strong-locks


def downgrade():
    pass
