# migsafe-test: rules=add-column-rewrites,volatile-default
"""raw generated stored

Revision ID: 25b499e6c8b7
Revises: 8bf61f7314aa
Create Date: 2024-03-05 11:22:33.000000

"""
from alembic import op
import sqlalchemy as sa

revision = '25b499e6c8b7'
down_revision = '8bf61f7314aa'
branch_labels = None
depends_on = None


def upgrade():
    op.execute(  # expect: add-column-rewrites
        "ALTER TABLE order_lines ADD COLUMN total_cents bigint "
        "GENERATED ALWAYS AS (quantity * unit_price_cents) STORED"
    )


def downgrade():
    pass
