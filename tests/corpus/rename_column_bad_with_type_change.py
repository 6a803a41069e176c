"""invoices.amount (float) -> amount_cents (bigint)

Revision ID: c7d8e9f0a1b3
Revises: f4a5b6c7d8e0
Create Date: 2024-12-03 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

revision = 'c7d8e9f0a1b3'
down_revision = 'f4a5b6c7d8e0'
branch_labels = None
depends_on = None


def upgrade():
    op.alter_column(  # expect: rename-column, column-type-rewrite
        'invoices', 'amount',
        new_column_name='amount_cents',
        existing_type=sa.Float(),
        type_=sa.BigInteger(),
        postgresql_using='round(amount * 100)::bigint',
    )


def downgrade():
    pass
