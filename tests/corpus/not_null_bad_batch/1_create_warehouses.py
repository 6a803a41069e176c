"""create warehouses

Revision ID: 3c4d5e6f7a8c
Revises:
Create Date: 2021-01-01 00:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

revision = '3c4d5e6f7a8c'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'warehouses',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('name', sa.String(length=100), nullable=False),
    )


def downgrade():
    op.drop_table('warehouses')
