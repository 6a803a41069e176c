"""index orders by created_at

Revision ID: 2b2b2b2b2b2b
Revises: 1a1a1a1a1a1a
Create Date: 2024-03-05 11:22:33.000000

"""
from alembic import op
import sqlalchemy as sa

revision = '2b2b2b2b2b2b'
down_revision = '1a1a1a1a1a1a'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_orders_created_at', 'orders', ['created_at'])  # expect: index-not-concurrent, multiple-strong-locks


def downgrade():
    pass
