"""link invoices to accounts (not valid, then validate)

Revision ID: 5c6d7e8f9a1c
Revises: 4b5c6d7e8f0b
Create Date: 2025-01-06 09:00:00.000000

"""
from alembic import op

revision = '5c6d7e8f9a1c'
down_revision = '4b5c6d7e8f0b'
branch_labels = None
depends_on = None


def upgrade():
    op.create_foreign_key(
        'fk_invoices_account_id', 'invoices', 'accounts', ['account_id'], ['id'],
        postgresql_not_valid=True,
    )
    op.execute("ALTER TABLE invoices VALIDATE CONSTRAINT fk_invoices_account_id")  # expect: constraint-without-not-valid


def downgrade():
    op.drop_constraint('fk_invoices_account_id', 'invoices', type_='foreignkey')
