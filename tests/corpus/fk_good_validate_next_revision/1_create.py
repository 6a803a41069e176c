"""create vendors and purchase_orders

Revision ID: 6b7c8d9e0f2b
Revises:
Create Date: 2022-01-01 00:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

revision = '6b7c8d9e0f2b'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('vendors', sa.Column('id', sa.Integer(), primary_key=True))
    op.create_table(
        'purchase_orders',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('vendor_id', sa.Integer(), nullable=True),
        sa.Column('total_cents', sa.BigInteger(), nullable=False),
    )


def downgrade():
    op.drop_table('purchase_orders')
    op.drop_table('vendors')
