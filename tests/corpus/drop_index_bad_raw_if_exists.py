"""drop duplicate index on line_items

Revision ID: 5d6e7f8091a2
Revises: 4c5d6e7f8091
Create Date: 2024-05-09 09:30:00.000000

"""
from alembic import op

revision = '5d6e7f8091a2'
down_revision = '4c5d6e7f8091'
branch_labels = None
depends_on = None


def upgrade():
    # ix_line_items_order_id duplicates the leading column of ix_line_items_order_id_sku
    op.execute('DROP INDEX IF EXISTS public."ix_line_items_order_id"')  # expect: drop-index-not-concurrent


def downgrade():
    op.execute("CREATE INDEX ix_line_items_order_id ON line_items (order_id)")
