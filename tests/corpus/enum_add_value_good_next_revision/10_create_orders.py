"""create orders

Revision ID: 10a2b4c6d8e0
Revises:
Create Date: 2023-01-01 00:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

revision = '10a2b4c6d8e0'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'orders',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('status', sa.Enum('new', 'paid', 'cancelled', name='order_status'), nullable=False),
        sa.Column('shipped_at', sa.DateTime(timezone=True), nullable=True),
    )


def downgrade():
    op.drop_table('orders')
