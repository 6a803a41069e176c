# migsafe-test: rules=default,backfill-in-transaction,multiple-strong-locks,missing-lock-timeout,bare-commit
"""add nullable display_name (backfill in a job)

Revision ID: f756376762ab
Revises: 5d96384dbb3b
Create Date: 2024-03-05 11:22:33.000000

"""
from alembic import op
import sqlalchemy as sa

revision = 'f756376762ab'
down_revision = '5d96384dbb3b'
branch_labels = None
depends_on = None


def upgrade():
    op.execute("SET LOCAL lock_timeout = '5s'")
    op.add_column('users', sa.Column('display_name', sa.String(length=120), nullable=True))


def downgrade():
    pass
