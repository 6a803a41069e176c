"""create stores

Revision ID: 8c9d0e1f2a3c
Revises:
Create Date: 2021-01-01 00:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

revision = '8c9d0e1f2a3c'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'stores',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('region_id', sa.Integer(), nullable=True),
    )


def downgrade():
    op.drop_table('stores')
