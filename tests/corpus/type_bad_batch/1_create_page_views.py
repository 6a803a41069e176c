"""create page_views

Revision ID: 3c4d5e6f7a9c
Revises:
Create Date: 2020-01-01 00:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

revision = '3c4d5e6f7a9c'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'page_views',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('path', sa.String(length=2048), nullable=False),
        sa.Column('viewed_at', sa.DateTime(timezone=True), nullable=False),
    )


def downgrade():
    op.drop_table('page_views')
