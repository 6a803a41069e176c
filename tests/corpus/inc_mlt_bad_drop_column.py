# migsafe-test: rules=default,backfill-in-transaction,multiple-strong-locks,missing-lock-timeout,bare-commit
"""drop legacy_id

Revision ID: 595a369b02d8
Revises: 0e16760cc75a
Create Date: 2024-03-05 11:22:33.000000

"""
from alembic import op
import sqlalchemy as sa

revision = '595a369b02d8'
down_revision = '0e16760cc75a'
branch_labels = None
depends_on = None


def upgrade():
    op.drop_column('products', 'legacy_id')  # expect: drop-column, missing-lock-timeout


def downgrade():
    pass
