"""drop legacy sku, add gtin

Revision ID: 93b1e0d7c5a2
Revises: 48c2f0a9e1d3
Create Date: 2024-02-01 09:48:00.000000

"""
from alembic import op
import sqlalchemy as sa

revision = '93b1e0d7c5a2'
down_revision = '48c2f0a9e1d3'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('catalog_items', sa.Column('gtin', sa.String(length=14), nullable=True))
    op.drop_column('catalog_items', 'legacy_sku')  # expect: drop-column


def downgrade():
    raise NotImplementedError("irreversible: legacy SKUs were retired")
