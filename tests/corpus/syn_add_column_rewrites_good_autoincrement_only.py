# migsafe-test: rules=add-column-rewrites,volatile-default
"""autoincrement alone renders plain integer

Revision ID: 8c136e2a966f
Revises: fed1b7844272
Create Date: 2024-03-05 11:22:33.000000

"""
from alembic import op
import sqlalchemy as sa

revision = '8c136e2a966f'
down_revision = 'fed1b7844272'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('tag_links', sa.Column('position', sa.Integer(), autoincrement=True, nullable=True))


def downgrade():
    pass
