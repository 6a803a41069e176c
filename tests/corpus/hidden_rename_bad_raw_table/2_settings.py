"""kv_store becomes settings

Revision ID: 5f6a7b8c9d0f
Revises: 4e5f6a7b8c9e
Create Date: 2021-06-01 00:00:00.000000

"""
from alembic import op

revision = '5f6a7b8c9d0f'
down_revision = '4e5f6a7b8c9e'
branch_labels = None
depends_on = None


def upgrade():
    op.execute("CREATE TABLE settings (key text PRIMARY KEY, value jsonb NOT NULL, updated_at timestamptz NOT NULL)")
    op.execute("DROP TABLE kv_store")  # expect: hidden-rename


def downgrade():
    pass
