"""limit review titles to 255 characters

Revision ID: 3e4f5a6b7c8e
Revises: 2d3e4f5a6b7d
Create Date: 2024-10-28 08:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

revision = '3e4f5a6b7c8e'
down_revision = '2d3e4f5a6b7d'
branch_labels = None
depends_on = None


def upgrade():
    op.alter_column('reviews', 'title', existing_type=sa.TEXT(), type_=sa.String(length=255), existing_nullable=True)  # expect: column-type-rewrite


def downgrade():
    op.alter_column('reviews', 'title', existing_type=sa.String(length=255), type_=sa.TEXT(), existing_nullable=True)
