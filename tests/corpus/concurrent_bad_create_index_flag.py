"""index api_keys by prefix

Revision ID: 8192a3b4c5d6
Revises: 708192a3b4c5
Create Date: 2024-06-03 10:10:10.000000

"""
from alembic import op

revision = '8192a3b4c5d6'
down_revision = '708192a3b4c5'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_api_keys_prefix', 'api_keys', ['prefix'], unique=True, postgresql_concurrently=True)  # expect: concurrent-index-in-transaction


def downgrade():
    op.drop_index('ix_api_keys_prefix', table_name='api_keys')
