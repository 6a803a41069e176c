"""add tags to posts

Revision ID: 5c1f00aa11bb
Revises: f8a5d475b0d9
Create Date: 2024-03-05 11:22:33.000000

"""
from alembic import op
import sqlalchemy as sa

revision = '5c1f00aa11bb'
down_revision = 'f8a5d475b0d9'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('posts', sa.Column('tags', sa.ARRAY(sa.String()), nullable=True))


def downgrade():
    pass
