"""create articles

Revision ID: 4f5a6b7c8d1a
Revises:
Create Date: 2021-01-01 00:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

revision = '4f5a6b7c8d1a'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'articles',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('headline', sa.String(length=200), nullable=False),
        sa.Column('body', sa.Text(), nullable=True),
    )


def downgrade():
    op.drop_table('articles')
