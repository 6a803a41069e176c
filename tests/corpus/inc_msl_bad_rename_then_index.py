# migsafe-test: rules=default,backfill-in-transaction,multiple-strong-locks,missing-lock-timeout,bare-commit
"""rename owner column and index projects

Revision ID: dd6345401ee9
Revises: 28b6f72a96df
Create Date: 2024-03-05 11:22:33.000000

"""
from alembic import op
import sqlalchemy as sa

revision = 'dd6345401ee9'
down_revision = '28b6f72a96df'
branch_labels = None
depends_on = None


def upgrade():
    op.alter_column('accounts', 'owner', new_column_name='owner_id')  # expect: rename-column, missing-lock-timeout
    op.create_index('ix_projects_account_id', 'projects', ['account_id'])  # expect: index-not-concurrent, multiple-strong-locks


def downgrade():
    pass
