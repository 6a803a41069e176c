"""index orders by created_at

Revision ID: 4d4d4d4d4d4d
Revises: 3c3c3c3c3c3c
Create Date: 2024-03-05 11:22:33.000000

"""
from alembic import op
import sqlalchemy as sa

revision = '4d4d4d4d4d4d'
down_revision = '3c3c3c3c3c3c'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_orders_created_at', 'orders', ['created_at'])  # expect: index-not-concurrent


def downgrade():
    pass
