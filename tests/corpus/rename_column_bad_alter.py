"""rename users.name to full_name

Revision ID: 2d3e4f5a6b9e
Revises: 1c2d3e4f5a8d
Create Date: 2025-05-05 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

revision = '2d3e4f5a6b9e'
down_revision = '1c2d3e4f5a8d'
branch_labels = None
depends_on = None


def upgrade():
    op.alter_column('users', 'name', new_column_name='full_name', existing_type=sa.String(length=120))  # expect: rename-column


def downgrade():
    op.alter_column('users', 'full_name', new_column_name='name', existing_type=sa.String(length=120))
