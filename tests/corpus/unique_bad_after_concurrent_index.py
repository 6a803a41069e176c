"""unique sku per merchant

Revision ID: c4d5e6f7a8b1
Revises: 1f2a3b4c5d6f
Create Date: 2025-02-04 09:00:00.000000

"""
from alembic import op

revision = 'c4d5e6f7a8b1'
down_revision = '1f2a3b4c5d6f'
branch_labels = None
depends_on = None


def upgrade():
    with op.get_context().autocommit_block():
        op.create_index('ix_products_merchant_sku', 'products', ['merchant_id', 'sku'], unique=True,
                        postgresql_concurrently=True)
    # does NOT reuse the index above: PostgreSQL builds a second one under ACCESS EXCLUSIVE
    op.create_unique_constraint('uq_products_merchant_sku', 'products', ['merchant_id', 'sku'])  # expect: unique-constraint-builds-index


def downgrade():
    pass
