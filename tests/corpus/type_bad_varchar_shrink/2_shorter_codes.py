"""coupon codes are at most 32 characters

Revision ID: 8d9e0f1a2b3d
Revises: 7c8d9e0f1a2c
Create Date: 2022-06-01 00:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

revision = '8d9e0f1a2b3d'
down_revision = '7c8d9e0f1a2c'
branch_labels = None
depends_on = None


def upgrade():
    op.alter_column('coupons', 'code', type_=sa.String(length=32))  # expect: column-type-rewrite
    op.alter_column('coupons', 'notes', type_=sa.String(length=1000))


def downgrade():
    op.alter_column('coupons', 'notes', type_=sa.String(length=500))
    op.alter_column('coupons', 'code', type_=sa.String(length=100))
