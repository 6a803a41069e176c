"""create kv_store

Revision ID: 4e5f6a7b8c9e
Revises:
Create Date: 2021-01-01 00:00:00.000000

"""
from alembic import op

revision = '4e5f6a7b8c9e'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.execute("CREATE TABLE kv_store (key text PRIMARY KEY, value jsonb NOT NULL, updated_at timestamptz NOT NULL)")


def downgrade():
    op.execute("DROP TABLE kv_store")
