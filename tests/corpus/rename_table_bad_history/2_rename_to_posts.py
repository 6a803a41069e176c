"""blog_posts -> posts

Revision ID: 0f1a2b3c4d7a
Revises: 9e0f1a2b3c6f
Create Date: 2021-08-01 00:00:00.000000

"""
from alembic import op

revision = '0f1a2b3c4d7a'
down_revision = '9e0f1a2b3c6f'
branch_labels = None
depends_on = None


def upgrade():
    op.rename_table('blog_posts', 'posts')  # expect: rename-table


def downgrade():
    op.rename_table('posts', 'blog_posts')
