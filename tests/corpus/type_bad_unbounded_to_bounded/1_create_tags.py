"""create labels

Revision ID: 4c5d6e7f8093
Revises:
Create Date: 2022-01-01 00:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

revision = '4c5d6e7f8093'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'labels',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('name', sa.String(), nullable=False),
        sa.Column('color', sa.Text(), nullable=True),
    )


def downgrade():
    op.drop_table('labels')
