"""replace likes with reactions

Revision ID: 7b8c9d0e1f2b
Revises: 6a7b8c9d0e1a
Create Date: 2021-09-01 00:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

revision = '7b8c9d0e1f2b'
down_revision = '6a7b8c9d0e1a'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'reactions',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('post_id', sa.Integer(), nullable=False),
        sa.Column('emoji', sa.String(length=16), nullable=False),
    )
    op.execute("INSERT INTO reactions (user_id, post_id, emoji) SELECT user_id, post_id, 'thumbs_up' FROM likes")
    op.drop_table('likes')  # expect: drop-table


def downgrade():
    pass
