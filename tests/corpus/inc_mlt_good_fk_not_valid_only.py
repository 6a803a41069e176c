# migsafe-test: rules=default,backfill-in-transaction,multiple-strong-locks,missing-lock-timeout,bare-commit
"""fk not valid only (SHARE ROW EXCLUSIVE)

Revision ID: ffcc93246d35
Revises: bc9902b39cc1
Create Date: 2024-03-05 11:22:33.000000

"""
from alembic import op
import sqlalchemy as sa

revision = 'ffcc93246d35'
down_revision = 'bc9902b39cc1'
branch_labels = None
depends_on = None


def upgrade():
    op.create_foreign_key('fk_orders_customer_id', 'orders', 'customers', ['customer_id'], ['id'],
                          postgresql_not_valid=True)


def downgrade():
    pass
