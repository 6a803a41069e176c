# migsafe-test: pg-version=11
"""add 'returned' order status (outside the transaction)

Revision ID: a0b1c2d3e4f7
Revises: d7e8f9a0b1c4
Create Date: 2020-03-02 09:00:00.000000

"""
from alembic import op

revision = 'a0b1c2d3e4f7'
down_revision = 'd7e8f9a0b1c4'
branch_labels = None
depends_on = None


def upgrade():
    # ALTER TYPE ... ADD VALUE cannot run inside a transaction block before PostgreSQL 12
    op.execute("COMMIT")
    op.execute("ALTER TYPE order_status ADD VALUE IF NOT EXISTS 'returned'")


def downgrade():
    pass
