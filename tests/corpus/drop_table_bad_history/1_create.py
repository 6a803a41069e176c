"""create carts and cart_items

Revision ID: 1e2f3a4b5c9a
Revises:
Create Date: 2021-01-01 00:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

revision = '1e2f3a4b5c9a'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'carts',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('session_id', sa.String(length=64), nullable=False),
    )
    op.create_table(
        'wishlists',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('user_id', sa.Integer(), nullable=False),
    )


def downgrade():
    op.drop_table('wishlists')
    op.drop_table('carts')
