# migsafe-test: rules=default,backfill-in-transaction,multiple-strong-locks,missing-lock-timeout,bare-commit
"""reset the timeout before the alter

Revision ID: 903605f88553
Revises: deaa465b1c70
Create Date: 2024-03-05 11:22:33.000000

"""
from alembic import op
import sqlalchemy as sa

revision = '903605f88553'
down_revision = 'deaa465b1c70'
branch_labels = None
depends_on = None


def upgrade():
    op.execute("SET lock_timeout = '2s'")
    op.add_column('carts', sa.Column('coupon_code', sa.String(length=32), nullable=True))
    op.execute("RESET lock_timeout")
    op.add_column('cart_items', sa.Column('discount_cents', sa.Integer(), nullable=True))  # expect: missing-lock-timeout


def downgrade():
    pass
