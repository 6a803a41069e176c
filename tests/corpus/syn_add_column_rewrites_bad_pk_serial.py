# migsafe-test: rules=add-column-rewrites,volatile-default
"""surrogate key on a join table

Revision ID: ca6de006509a
Revises: 839a6664b44c
Create Date: 2024-03-05 11:22:33.000000

"""
from alembic import op
import sqlalchemy as sa

revision = 'ca6de006509a'
down_revision = '839a6664b44c'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('tag_links', sa.Column('id', sa.Integer(), primary_key=True))  # expect: add-column-rewrites


def downgrade():
    pass
