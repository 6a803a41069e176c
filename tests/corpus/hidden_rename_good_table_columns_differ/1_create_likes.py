"""create likes

Revision ID: 6a7b8c9d0e1a
Revises:
Create Date: 2021-01-01 00:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

revision = '6a7b8c9d0e1a'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'likes',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('post_id', sa.Integer(), nullable=False),
    )


def downgrade():
    op.drop_table('likes')
