"""orders: amount -> amount_cents

Revision ID: 3e4f5a6b7c0f
Revises: 2d3e4f5a6b9e
Create Date: 2025-05-12 09:00:00.000000

"""
from alembic import op

revision = '3e4f5a6b7c0f'
down_revision = '2d3e4f5a6b9e'
branch_labels = None
depends_on = None


def upgrade():
    op.execute('alter table "orders" rename column "amount" to "amount_cents"')  # expect: rename-column


def downgrade():
    op.execute('alter table "orders" rename column "amount_cents" to "amount"')
