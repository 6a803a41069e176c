"""create coupons

Revision ID: 7c8d9e0f1a2c
Revises:
Create Date: 2022-01-01 00:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

revision = '7c8d9e0f1a2c'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'coupons',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('code', sa.String(length=100), nullable=False),
        sa.Column('discount', sa.Numeric(10, 2), nullable=False),
        sa.Column('notes', sa.String(length=500), nullable=True),
    )


def downgrade():
    op.drop_table('coupons')
