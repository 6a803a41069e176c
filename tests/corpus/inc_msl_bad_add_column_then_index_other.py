# migsafe-test: rules=default,backfill-in-transaction,multiple-strong-locks,missing-lock-timeout,bare-commit
"""add nickname, index orders by created_at

Revision ID: 1f37e0df75b9
Revises: be79144ae96c
Create Date: 2024-03-05 11:22:33.000000

"""
from alembic import op
import sqlalchemy as sa

revision = '1f37e0df75b9'
down_revision = 'be79144ae96c'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('users', sa.Column('nickname', sa.String(length=40), nullable=True))  # expect: missing-lock-timeout
    op.create_index('ix_orders_created_at', 'orders', ['created_at'])  # expect: index-not-concurrent, multiple-strong-locks


def downgrade():
    pass
