"""give order_items_archive a primary key

Revision ID: 2b3c4d5e6f9c
Revises: 1a2b3c4d5e8b
Create Date: 2025-02-24 09:00:00.000000

"""
from alembic import op

revision = '2b3c4d5e6f9c'
down_revision = '1a2b3c4d5e8b'
branch_labels = None
depends_on = None


def upgrade():
    op.create_primary_key('pk_order_items_archive', 'order_items_archive', ['order_id', 'line_no'])  # expect: unique-constraint-builds-index


def downgrade():
    op.drop_constraint('pk_order_items_archive', 'order_items_archive', type_='primary')
