"""index audit entries by actor

Revision ID: 92a3b4c5d6e7
Revises: 8192a3b4c5d6
Create Date: 2024-06-10 10:10:10.000000

"""
from alembic import op

revision = '92a3b4c5d6e7'
down_revision = '8192a3b4c5d6'
branch_labels = None
depends_on = None


def upgrade():
    op.execute("SET statement_timeout = 0")
    op.execute(  # expect: concurrent-index-in-transaction
        "CREATE INDEX CONCURRENTLY IF NOT EXISTS ix_audit_entries_actor_id "
        "ON audit_entries (actor_id)"
    )


def downgrade():
    op.execute("DROP INDEX IF EXISTS ix_audit_entries_actor_id")
