"""payments.amount_cents to bigint

Revision ID: 4f5a6b7c8d9f
Revises: 3e4f5a6b7c8e
Create Date: 2024-11-04 08:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

revision = '4f5a6b7c8d9f'
down_revision = '3e4f5a6b7c8e'
branch_labels = None
depends_on = None


def upgrade():
    op.alter_column('payments', 'amount_cents', type_=sa.BigInteger())  # expect: column-type-rewrite


def downgrade():
    op.alter_column('payments', 'amount_cents', type_=sa.Integer())
