# migsafe-test: rules=default,backfill-in-transaction,multiple-strong-locks,missing-lock-timeout,bare-commit
"""require region with default

Revision ID: d6a1b8fbdd68
Revises: b26ed06d91cd
Create Date: 2024-03-05 11:22:33.000000

"""
from alembic import op
import sqlalchemy as sa

revision = 'd6a1b8fbdd68'
down_revision = 'b26ed06d91cd'
branch_labels = None
depends_on = None


def upgrade():
    op.execute("SET LOCAL lock_timeout = '5s'")
    op.add_column('stores', sa.Column('region', sa.String(length=10), nullable=False, server_default='eu'))


def downgrade():
    pass
