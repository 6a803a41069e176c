"""purchase_orders constraints, not valid

Revision ID: 7c8d9e0f1a3c
Revises: 6b7c8d9e0f2b
Create Date: 2022-02-01 00:00:00.000000

"""
from alembic import op

revision = '7c8d9e0f1a3c'
down_revision = '6b7c8d9e0f2b'
branch_labels = None
depends_on = None


def upgrade():
    op.create_foreign_key('fk_purchase_orders_vendor_id', 'purchase_orders', 'vendors',
                          ['vendor_id'], ['id'], postgresql_not_valid=True)
    op.create_check_constraint('ck_purchase_orders_total', 'purchase_orders', 'total_cents >= 0',
                               postgresql_not_valid=True)


def downgrade():
    op.drop_constraint('ck_purchase_orders_total', 'purchase_orders', type_='check')
    op.drop_constraint('fk_purchase_orders_vendor_id', 'purchase_orders', type_='foreignkey')
