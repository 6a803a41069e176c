"""create rooms

Revision ID: 2d3e4f5a6b8d
Revises:
Create Date: 2021-01-01 00:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

revision = '2d3e4f5a6b8d'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'rooms',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('capacity', sa.Integer(), nullable=False),
    )


def downgrade():
    op.drop_table('rooms')
