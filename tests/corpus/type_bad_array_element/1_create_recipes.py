"""create recipes

Revision ID: a5b6c7d8e9f1
Revises:
Create Date: 2022-01-01 00:00:00.000000

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = 'a5b6c7d8e9f1'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'recipes',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('tags', postgresql.ARRAY(sa.String(length=30)), nullable=True),
        sa.Column('title', sa.String(), nullable=False),
    )


def downgrade():
    op.drop_table('recipes')
