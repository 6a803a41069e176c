# migsafe-test: rules=default,bare-commit
"""commit as the first statement, before a concurrent index

Nothing of the revision ran before the COMMIT: it commits an empty transaction (or, with one transaction
for the whole upgrade, the earlier revisions together with their alembic_version rows). Checked on
PostgreSQL 15 with psycopg2 and psycopg 3.

Revision ID: 0c55a1d2e3f4
Revises: 9b8a7c6d5e4f
Create Date: 2024-04-02 09:15:00.000000

"""
from alembic import op
import sqlalchemy as sa

revision = '0c55a1d2e3f4'
down_revision = '9b8a7c6d5e4f'
branch_labels = None
depends_on = None


def upgrade():
    op.execute("COMMIT")
    op.execute("CREATE INDEX CONCURRENTLY IF NOT EXISTS ix_orders_placed_at ON orders (placed_at)")


def downgrade():
    op.execute("DROP INDEX IF EXISTS ix_orders_placed_at")
