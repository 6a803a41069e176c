# migsafe-test: rules=default,backfill-in-transaction,multiple-strong-locks,missing-lock-timeout,bare-commit
"""require region

Revision ID: b6419ad86c56
Revises: 8549329a4e0a
Create Date: 2024-03-05 11:22:33.000000

"""
from alembic import op
import sqlalchemy as sa

from myapp import models  # noqa: F401

revision = 'b6419ad86c56'
down_revision = '8549329a4e0a'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('stores', sa.Column('region', sa.String(length=10), nullable=False))  # expect: not-null-without-default, missing-lock-timeout


def downgrade():
    pass
