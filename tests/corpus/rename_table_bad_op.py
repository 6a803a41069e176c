"""rename clients to customers

Revision ID: 7c8d9e0f1a4d
Revises: 6b7c8d9e0f3c
Create Date: 2025-05-26 09:00:00.000000

"""
from alembic import op

revision = '7c8d9e0f1a4d'
down_revision = '6b7c8d9e0f3c'
branch_labels = None
depends_on = None


def upgrade():
    op.rename_table('clients', 'customers')  # expect: rename-table
    op.execute("ALTER SEQUENCE clients_id_seq RENAME TO customers_id_seq")


def downgrade():
    op.execute("ALTER SEQUENCE customers_id_seq RENAME TO clients_id_seq")
    op.rename_table('customers', 'clients')
