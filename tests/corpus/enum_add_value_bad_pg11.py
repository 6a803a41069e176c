# migsafe-test: pg-version=11
"""add refunded order status

Revision ID: e2a9c4b71d06
Revises: 7d3b5f1e9a20
Create Date: 2020-09-30 10:12:44.000000

"""
from alembic import op

revision = 'e2a9c4b71d06'
down_revision = '7d3b5f1e9a20'
branch_labels = None
depends_on = None


def upgrade():
    op.execute("ALTER TYPE order_status ADD VALUE 'refunded' AFTER 'paid'")  # expect: enum-add-value-in-transaction


def downgrade():
    # PostgreSQL cannot remove an enum value
    pass
