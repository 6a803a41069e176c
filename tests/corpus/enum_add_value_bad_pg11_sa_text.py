# migsafe-test: pg-version=11
"""add 'on_hold' to shipment_state

Revision ID: b4d1e8f2a6c0
Revises: 6a2c0e8b4d1f
Create Date: 2019-12-03 15:02:27.000000

"""
from alembic import op
import sqlalchemy as sa

revision = 'b4d1e8f2a6c0'
down_revision = '6a2c0e8b4d1f'
branch_labels = None
depends_on = None


def upgrade():
    op.execute(sa.text(  # expect: enum-add-value-in-transaction
        """
        -- new state for shipments waiting on customs
        ALTER TYPE logistics.shipment_state ADD VALUE IF NOT EXISTS 'on_hold'
        """
    ))


def downgrade():
    pass
