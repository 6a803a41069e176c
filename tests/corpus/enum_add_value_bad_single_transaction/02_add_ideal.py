"""add iDEAL payment method

Revision ID: 02d4f6b8c0e1
Revises: 01c3e5a7b9d0
Create Date: 2022-09-09 12:00:00.000000

"""
from alembic import op

revision = '02d4f6b8c0e1'
down_revision = '01c3e5a7b9d0'
branch_labels = None
depends_on = None


def upgrade():
    op.execute("ALTER TYPE payment_method ADD VALUE 'ideal'")  # expect: enum-add-value-in-transaction


def downgrade():
    pass
