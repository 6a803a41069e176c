"""create products

Revision ID: 9a0b1c2d3e4a
Revises:
Create Date: 2022-01-01 00:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

revision = '9a0b1c2d3e4a'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'products',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('sku', sa.String(length=32), nullable=False),
        sa.Column('title', sa.String(length=200), nullable=False),
    )


def downgrade():
    op.drop_table('products')
