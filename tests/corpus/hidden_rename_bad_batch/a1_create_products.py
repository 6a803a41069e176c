"""create products

Revision ID: a1f0c3e5b7d9
Revises:
Create Date: 2021-05-05 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

revision = 'a1f0c3e5b7d9'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'products',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('title', sa.String(length=200), nullable=False),
        sa.Column('descr', sa.Text(), nullable=True),
        sa.Column('price_cents', sa.Integer(), nullable=False, server_default='0'),
    )


def downgrade():
    op.drop_table('products')
