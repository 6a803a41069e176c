# migsafe-test: rules=default,backfill-in-transaction,multiple-strong-locks,missing-lock-timeout,bare-commit
"""drop unused index

Revision ID: 26ed5073dc76
Revises: 49d6e9b64595
Create Date: 2024-03-05 11:22:33.000000

"""
from alembic import op
import sqlalchemy as sa

revision = '26ed5073dc76'
down_revision = '49d6e9b64595'
branch_labels = None
depends_on = None


def upgrade():
    op.drop_index('ix_orders_legacy_ref', table_name='orders')  # expect: drop-index-not-concurrent, missing-lock-timeout


def downgrade():
    pass
