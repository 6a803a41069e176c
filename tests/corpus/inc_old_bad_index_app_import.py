# migsafe-test: rules=default,backfill-in-transaction,multiple-strong-locks,missing-lock-timeout,bare-commit
"""index orders by customer

Revision ID: 2af55baa4514
Revises: d057c48a18eb
Create Date: 2024-03-05 11:22:33.000000

"""
from alembic import op
import sqlalchemy as sa

from myapp.models import Order  # noqa: F401

revision = '2af55baa4514'
down_revision = 'd057c48a18eb'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_orders_customer_id', 'orders', ['customer_id'], unique=False)  # expect: index-not-concurrent


def downgrade():
    pass
