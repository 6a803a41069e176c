"""bigger invoice totals; unbounded memo

Revision ID: 6f7a8b9c0d2f
Revises: 5e6f7a8b9c1e
Create Date: 2024-11-25 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

revision = '6f7a8b9c0d2f'
down_revision = '5e6f7a8b9c1e'
branch_labels = None
depends_on = None


def upgrade():
    op.alter_column('invoices', 'total', existing_type=sa.NUMERIC(precision=10, scale=2),
                    type_=sa.Numeric(precision=14, scale=2), existing_nullable=False)
    op.alter_column('invoices', 'memo', existing_type=sa.TEXT(), type_=sa.VARCHAR(), existing_nullable=True)
    op.alter_column('invoices', 'tax_rate', existing_type=sa.NUMERIC(precision=5, scale=4),
                    type_=sa.Numeric(), existing_nullable=True)


def downgrade():
    pass
