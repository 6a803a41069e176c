"""create blog_posts

Revision ID: 9e0f1a2b3c6f
Revises:
Create Date: 2021-01-01 00:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

revision = '9e0f1a2b3c6f'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'blog_posts',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('title', sa.String(length=200), nullable=False),
    )


def downgrade():
    op.drop_table('blog_posts')
