# migsafe-test: pg-version=11, transaction-per-migration=false
# migsafe-test: ship-together=1_create_type.py 2_add_evening.py
"""create delivery_window type

Revision ID: 0a1b2c3d4e5a
Revises:
Create Date: 2019-02-01 00:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

revision = '0a1b2c3d4e5a'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.execute("CREATE TYPE delivery_window AS ENUM ('morning', 'afternoon')")
    op.create_table(
        'deliveries',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('window', sa.Text(), nullable=True),
    )


def downgrade():
    op.drop_table('deliveries')
    op.execute("DROP TYPE delivery_window")
