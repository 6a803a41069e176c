# migsafe-test: rules=default,backfill-in-transaction,multiple-strong-locks,missing-lock-timeout,bare-commit
# migsafe-test: transaction-per-migration=true
"""add nickname to users

Revision ID: 3c3c3c3c3c3c
Revises: 0e0e0e0e0e0e
Create Date: 2024-03-05 11:22:33.000000

"""
from alembic import op
import sqlalchemy as sa

revision = '3c3c3c3c3c3c'
down_revision = '0e0e0e0e0e0e'
branch_labels = None
depends_on = None


def upgrade():
    op.execute("SET LOCAL lock_timeout = '5s'")
    op.add_column('users', sa.Column('nickname', sa.String(length=40), nullable=True))


def downgrade():
    pass
