"""index invoices by due date (deployed weeks after the accounts change: its own alembic upgrade)

Revision ID: b2e1d3f5a7c9
Revises: a1f0c2d4e6b8
Create Date: 2023-04-12 16:20:00.000000

"""
from alembic import op

revision = 'b2e1d3f5a7c9'
down_revision = 'a1f0c2d4e6b8'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_invoices_due_on', 'invoices', ['due_on'])  # expect: index-not-concurrent


def downgrade():
    op.drop_index('ix_invoices_due_on', table_name='invoices')
