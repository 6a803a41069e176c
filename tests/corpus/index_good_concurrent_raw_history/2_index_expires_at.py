"""index sessions.expires_at for the cleanup job

Revision ID: 2d3e4f5a6b7c
Revises: 1c2d3e4f5a6b
Create Date: 2022-02-01 00:00:00.000000

"""
from alembic import op

revision = '2d3e4f5a6b7c'
down_revision = '1c2d3e4f5a6b'
branch_labels = None
depends_on = None


def upgrade():
    op.execute("SET lock_timeout = '5s'")
    with op.get_context().autocommit_block():
        op.execute("CREATE INDEX CONCURRENTLY IF NOT EXISTS ix_sessions_expires_at ON sessions (expires_at)")
        op.execute("CREATE INDEX CONCURRENTLY ix_sessions_user_id ON public.sessions USING btree (user_id)")


def downgrade():
    with op.get_context().autocommit_block():
        op.execute("DROP INDEX CONCURRENTLY IF EXISTS ix_sessions_user_id")
        op.execute("DROP INDEX CONCURRENTLY IF EXISTS ix_sessions_expires_at")
