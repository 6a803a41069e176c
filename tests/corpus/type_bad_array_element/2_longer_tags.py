"""longer recipe tags; title as text

Revision ID: b6c7d8e9f0a2
Revises: a5b6c7d8e9f1
Create Date: 2022-04-01 00:00:00.000000

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = 'b6c7d8e9f0a2'
down_revision = 'a5b6c7d8e9f1'
branch_labels = None
depends_on = None


def upgrade():
    op.alter_column('recipes', 'tags', type_=postgresql.ARRAY(sa.String(length=60)))  # expect: column-type-rewrite
    op.alter_column('recipes', 'title', type_=sa.Text())
    op.execute("ALTER TABLE recipes ALTER COLUMN id SET DATA TYPE bigint")  # expect: column-type-rewrite


def downgrade():
    pass
