# migsafe-test: rules=default,backfill-in-transaction,multiple-strong-locks,missing-lock-timeout,bare-commit
"""foreign key from line items to products

Revision ID: 79d836ddd748
Revises: 7eee98da4cc5
Create Date: 2024-03-05 11:22:33.000000

"""
from alembic import op
import sqlalchemy as sa

revision = '79d836ddd748'
down_revision = '7eee98da4cc5'
branch_labels = None
depends_on = None


def upgrade():
    op.execute("SET LOCAL lock_timeout = '5s'")
    op.create_foreign_key('fk_line_items_product_id', 'line_items', 'products', ['product_id'], ['id'])  # expect: constraint-without-not-valid


def downgrade():
    pass
