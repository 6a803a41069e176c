"""billing: invoice due dates

Revision ID: 9a0b1c2d3e7c
Revises: 8f9a0b1c2d6b
Create Date: 2025-09-15 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

revision = '9a0b1c2d3e7c'
down_revision = '8f9a0b1c2d6b'
branch_labels = None
depends_on = None


def upgrade():
    # The index first: past the ADD COLUMN below, billing.invoices is empty (with a row the ADD fails), and an
    # index built there would scan nothing.
    op.create_index('ix_billing_invoices_due_on', 'invoices', ['id'], schema='billing')  # expect: index-not-concurrent
    op.add_column('invoices', sa.Column('due_on', sa.Date(), nullable=False), schema='billing')  # expect: not-null-without-default


def downgrade():
    op.drop_index('ix_billing_invoices_due_on', table_name='invoices', schema='billing')
    op.drop_column('invoices', 'due_on', schema='billing')
