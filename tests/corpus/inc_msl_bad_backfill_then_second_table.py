# migsafe-test: rules=default,backfill-in-transaction,multiple-strong-locks,missing-lock-timeout,bare-commit
"""move status to orders, mark customers

Revision ID: bcadb8a742a8
Revises: 68ea9cca7fa5
Create Date: 2024-03-05 11:22:33.000000

"""
from alembic import op
import sqlalchemy as sa

revision = 'bcadb8a742a8'
down_revision = '68ea9cca7fa5'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('orders', sa.Column('fulfilment_status', sa.String(length=20), nullable=True))  # expect: missing-lock-timeout
    op.execute("UPDATE orders SET fulfilment_status = 'pending'")  # expect: backfill-in-transaction
    op.add_column('customers', sa.Column('has_open_orders', sa.Boolean(), nullable=True))  # expect: multiple-strong-locks


def downgrade():
    pass
