"""bound label name and color lengths

Revision ID: 5d6e7f8091a4
Revises: 4c5d6e7f8093
Create Date: 2022-06-01 00:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

revision = '5d6e7f8091a4'
down_revision = '4c5d6e7f8093'
branch_labels = None
depends_on = None


def upgrade():
    op.alter_column('labels', 'name', type_=sa.String(length=64))  # expect: column-type-rewrite
    op.alter_column('labels', 'color', type_=sa.String(length=7))  # expect: column-type-rewrite


def downgrade():
    pass
