# migsafe-test: rules=default,backfill-in-transaction,multiple-strong-locks,missing-lock-timeout,bare-commit
"""set_config lock timeout

Revision ID: ab219c28d84d
Revises: 4a7a25ece4d1
Create Date: 2024-03-05 11:22:33.000000

"""
from alembic import op
import sqlalchemy as sa

revision = 'ab219c28d84d'
down_revision = '4a7a25ece4d1'
branch_labels = None
depends_on = None


def upgrade():
    op.execute("SELECT set_config('lock_timeout', '4s', true)")
    op.alter_column('orders', 'note', new_column_name='notes')  # expect: rename-column


def downgrade():
    pass
