# migsafe-test: rules=reindex-not-concurrent,concurrent-index-in-transaction
# migsafe-test: pg-version=11
"""reindex on 11

Revision ID: 15743d9fbe81
Revises: a0aa9abaa485
Create Date: 2024-03-05 11:22:33.000000

"""
from alembic import op
import sqlalchemy as sa

revision = '15743d9fbe81'
down_revision = 'a0aa9abaa485'
branch_labels = None
depends_on = None


def upgrade():
    op.execute("REINDEX INDEX ix_orders_customer_id")  # expect: reindex-not-concurrent


def downgrade():
    pass
