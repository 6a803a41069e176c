# migsafe-test: rules=lock-table
"""lock two tables in order

Revision ID: 1df6be33909a
Revises: a89d46886517
Create Date: 2024-03-05 11:22:33.000000

"""
from alembic import op
import sqlalchemy as sa

revision = '1df6be33909a'
down_revision = 'a89d46886517'
branch_labels = None
depends_on = None


def upgrade():
    op.get_bind().execute(sa.text("LOCK TABLE orders, order_items IN SHARE ROW EXCLUSIVE MODE NOWAIT"))  # expect: lock-table


def downgrade():
    pass
