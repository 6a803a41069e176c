# migsafe-test: rules=default,backfill-in-transaction,multiple-strong-locks,missing-lock-timeout,bare-commit
"""add nickname, index orders concurrently

Revision ID: ad5a5380b6b5
Revises: 11e251bfd601
Create Date: 2024-03-05 11:22:33.000000

"""
from alembic import op
import sqlalchemy as sa

revision = 'ad5a5380b6b5'
down_revision = '11e251bfd601'
branch_labels = None
depends_on = None


def upgrade():
    op.execute("SET LOCAL lock_timeout = '5s'")
    op.add_column('users', sa.Column('nickname', sa.String(length=40), nullable=True))
    with op.get_context().autocommit_block():
        op.create_index('ix_orders_created_at', 'orders', ['created_at'],
                        postgresql_concurrently=True, if_not_exists=True)


def downgrade():
    pass
