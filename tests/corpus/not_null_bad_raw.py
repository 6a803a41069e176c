"""invoices need a currency

Revision ID: 091a2b3c4d5e
Revises: f8091a2b3c4d
Create Date: 2024-07-29 09:00:00.000000

"""
from alembic import op

revision = '091a2b3c4d5e'
down_revision = 'f8091a2b3c4d'
branch_labels = None
depends_on = None


def upgrade():
    op.execute("SET lock_timeout = '3s'")
    op.execute("ALTER TABLE billing.invoices ADD COLUMN currency char(3) NOT NULL")  # expect: not-null-without-default


def downgrade():
    op.execute("ALTER TABLE billing.invoices DROP COLUMN currency")
