"""add 'expired' voucher state and expire old vouchers

Revision ID: f0a1b2c3d4e6
Revises: e9f0a1b2c3d5
Create Date: 2024-12-24 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

revision = 'f0a1b2c3d4e6'
down_revision = 'e9f0a1b2c3d5'
branch_labels = None
depends_on = None


def upgrade():
    op.execute("ALTER TYPE voucher_state ADD VALUE 'expired'")  # expect: enum-add-value-in-transaction
    op.execute(
        sa.text("UPDATE vouchers SET state = CAST(:state AS voucher_state) WHERE valid_until < now()").bindparams(state='expired')
    )


def downgrade():
    pass
