# migsafe-test: rules=default,backfill-in-transaction,multiple-strong-locks,missing-lock-timeout,bare-commit
"""index orders concurrently (forgot autocommit)

Revision ID: 3728a767175f
Revises: 50c65861177c
Create Date: 2024-03-05 11:22:33.000000

"""
from alembic import op
import sqlalchemy as sa

revision = '3728a767175f'
down_revision = '50c65861177c'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_orders_placed_at', 'orders', ['placed_at'], postgresql_concurrently=True)  # expect: concurrent-index-in-transaction


def downgrade():
    pass
