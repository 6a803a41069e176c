"""create orders

Revision ID: 1f0e9d8c7b6a
Revises:
Create Date: 2022-01-10 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

revision = '1f0e9d8c7b6a'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'orders',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('status', sa.Enum('new', 'pending', 'paid', 'cancelled', name='order_status'),
                  nullable=False),
        sa.Column('total_cents', sa.BigInteger(), nullable=False),
    )


def downgrade():
    op.drop_table('orders')
