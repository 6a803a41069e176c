# migsafe-test: pg-version=11
"""add 'disputed' to invoice_status

Revision ID: 2d4f6a8c0e1b
Revises: 9b7d5f3a1c0e
Create Date: 2020-02-17 13:45:00.000000

"""
from alembic import op

revision = '2d4f6a8c0e1b'
down_revision = '9b7d5f3a1c0e'
branch_labels = None
depends_on = None


def upgrade():
    with op.get_context().autocommit_block():
        op.execute("ALTER TYPE invoice_status ADD VALUE IF NOT EXISTS 'disputed'")


def downgrade():
    pass
