# migsafe-test: rules=default,backfill-in-transaction,multiple-strong-locks,bare-commit
# migsafe-test: transaction-per-migration=false
"""add plan to accounts

Revision ID: a1f0c2d4e6b8
Revises:
Create Date: 2023-03-01 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

revision = 'a1f0c2d4e6b8'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.execute("SET LOCAL lock_timeout = '3s'")
    op.add_column('accounts', sa.Column('plan', sa.String(length=20), nullable=True))


def downgrade():
    op.drop_column('accounts', 'plan')
