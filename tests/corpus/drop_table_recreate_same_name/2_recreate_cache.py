"""recreate page_cache with an expiry

Revision ID: 91a2b3c4d5e8
Revises: 8091a2b3c4d7
Create Date: 2022-09-01 00:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

revision = '91a2b3c4d5e8'
down_revision = '8091a2b3c4d7'
branch_labels = None
depends_on = None


def upgrade():
    op.drop_table('page_cache')  # expect: drop-table
    op.create_table(
        'page_cache',
        sa.Column('key', sa.String(length=255), primary_key=True),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index('ix_page_cache_expires_at', 'page_cache', ['expires_at'])
    op.create_unique_constraint('uq_page_cache_body_key', 'page_cache', ['key', 'body'])


def downgrade():
    pass
