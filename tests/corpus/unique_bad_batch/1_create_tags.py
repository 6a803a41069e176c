"""create tags

Revision ID: 6f7a8b9c0d3a
Revises:
Create Date: 2021-01-01 00:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

revision = '6f7a8b9c0d3a'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'tags',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('name', sa.String(length=50), nullable=False),
    )


def downgrade():
    op.drop_table('tags')
