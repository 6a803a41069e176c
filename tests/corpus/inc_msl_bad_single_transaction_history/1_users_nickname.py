# migsafe-test: rules=default,backfill-in-transaction,multiple-strong-locks,missing-lock-timeout,bare-commit
# migsafe-test: transaction-per-migration=false
# migsafe-test: ship-together=1_users_nickname.py 2_orders_index.py
"""add nickname to users

Revision ID: 1a1a1a1a1a1a
Revises: 0f0f0f0f0f0f
Create Date: 2024-03-05 11:22:33.000000

"""
from alembic import op
import sqlalchemy as sa

revision = '1a1a1a1a1a1a'
down_revision = '0f0f0f0f0f0f'
branch_labels = None
depends_on = None


def upgrade():
    op.execute("SET LOCAL lock_timeout = '5s'")
    op.add_column('users', sa.Column('nickname', sa.String(length=40), nullable=True))


def downgrade():
    pass
