"""events_archive primary key from a concurrently built index

Revision ID: 9c0d1e2f3a6d
Revises: 8b9c0d1e2f5c
Create Date: 2025-03-17 09:00:00.000000

"""
from alembic import op

revision = '9c0d1e2f3a6d'
down_revision = '8b9c0d1e2f5c'
branch_labels = None
depends_on = None


def upgrade():
    with op.get_context().autocommit_block():
        op.execute("CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS events_archive_pkey_idx ON events_archive (id)")
    op.execute(
        "ALTER TABLE events_archive ADD CONSTRAINT events_archive_pkey "
        "PRIMARY KEY USING INDEX events_archive_pkey_idx"
    )


def downgrade():
    op.execute("ALTER TABLE events_archive DROP CONSTRAINT events_archive_pkey")
