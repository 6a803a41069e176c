# migsafe-test: rules=default,backfill-in-transaction,multiple-strong-locks,missing-lock-timeout,bare-commit
"""denormalize order totals

Revision ID: 442479dfba48
Revises: 8ab1a67ac96c
Create Date: 2024-03-05 11:22:33.000000

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.orm import Session

from myapp.models import Order
from myapp.billing.utils import compute_total_cents

revision = '442479dfba48'
down_revision = '8ab1a67ac96c'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('orders', sa.Column('total_cents', sa.BigInteger(), nullable=True))  # expect: missing-lock-timeout
    bind = op.get_bind()
    session = Session(bind=bind)
    for order in session.query(Order).filter(Order.total_cents.is_(None)):  # expect: backfill-in-transaction
        order.total_cents = compute_total_cents(order)
    session.flush()


def downgrade():
    pass
