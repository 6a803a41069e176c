"""unique invoice numbers

Revision ID: 8c9d0e1f2a3b
Revises: 7b8c9d0e1f2a
Create Date: 2024-03-01 08:00:00.000000

"""
from alembic import op

revision = '8c9d0e1f2a3b'
down_revision = '7b8c9d0e1f2a'
branch_labels = None
depends_on = None


def upgrade():
    op.execute("create unique index if not exists uq_invoices_number on billing.invoices using btree (number)")  # expect: index-not-concurrent


def downgrade():
    op.execute("drop index if exists billing.uq_invoices_number")
