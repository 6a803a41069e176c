"""backfill shipped status

Revision ID: 30c4d6e8f0a2
Revises: 20b3c5d7e9f1
Create Date: 2023-03-01 00:05:00.000000

"""
from alembic import op
import sqlalchemy as sa

revision = '30c4d6e8f0a2'
down_revision = '20b3c5d7e9f1'
branch_labels = None
depends_on = None


def upgrade():
    orders = sa.table('orders', sa.column('status', sa.String), sa.column('shipped_at', sa.DateTime))
    op.execute(
        orders.update()
        .where(orders.c.shipped_at.isnot(None))
        .values(status=op.inline_literal('shipped'))
    )


def downgrade():
    pass
