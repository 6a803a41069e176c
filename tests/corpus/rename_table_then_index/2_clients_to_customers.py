"""clients -> customers, index email

Revision ID: 7f8091a2b3c6
Revises: 6e7f8091a2b5
Create Date: 2022-08-01 00:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

revision = '7f8091a2b3c6'
down_revision = '6e7f8091a2b5'
branch_labels = None
depends_on = None


def upgrade():
    op.rename_table('clients', 'customers')  # expect: rename-table
    op.create_index('ix_customers_email', 'customers', ['email'])  # expect: index-not-concurrent
    op.add_column('customers', sa.Column('tier', sa.String(length=10), nullable=False))  # expect: not-null-without-default


def downgrade():
    pass
