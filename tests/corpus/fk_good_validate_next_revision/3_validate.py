"""validate purchase_orders constraints

Revision ID: 8d9e0f1a2b4d
Revises: 7c8d9e0f1a3c
Create Date: 2022-02-08 00:00:00.000000

"""
from alembic import op

revision = '8d9e0f1a2b4d'
down_revision = '7c8d9e0f1a3c'
branch_labels = None
depends_on = None


def upgrade():
    op.execute("ALTER TABLE purchase_orders VALIDATE CONSTRAINT fk_purchase_orders_vendor_id")
    op.execute("ALTER TABLE purchase_orders VALIDATE CONSTRAINT ck_purchase_orders_total")


def downgrade():
    pass
