"""create page_cache

Revision ID: 8091a2b3c4d7
Revises:
Create Date: 2022-01-01 00:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

revision = '8091a2b3c4d7'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'page_cache',
        sa.Column('key', sa.String(length=255), primary_key=True),
        sa.Column('body', sa.Text(), nullable=False),
    )


def downgrade():
    op.drop_table('page_cache')
