"""orders.placed_at is required

Revision ID: 1e2f3a4b5c6e
Revises: 0d1e2f3a4b5d
Create Date: 2024-09-30 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

revision = '1e2f3a4b5c6e'
down_revision = '0d1e2f3a4b5d'
branch_labels = None
depends_on = None


def upgrade():
    op.create_check_constraint(
        'ck_orders_placed_at_not_null', 'orders', 'placed_at IS NOT NULL', postgresql_not_valid=True
    )
    op.alter_column('orders', 'placed_at', existing_type=sa.DateTime(timezone=True), nullable=False)  # expect: set-not-null


def downgrade():
    op.alter_column('orders', 'placed_at', existing_type=sa.DateTime(timezone=True), nullable=True)
    op.drop_constraint('ck_orders_placed_at_not_null', 'orders', type_='check')
