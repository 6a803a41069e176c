"""rebuild bloated index on events

Revision ID: c5d6e7f8091a
Revises: b4c5d6e7f809
Create Date: 2024-07-01 10:10:10.000000

"""
from alembic import op

revision = 'c5d6e7f8091a'
down_revision = 'b4c5d6e7f809'
branch_labels = None
depends_on = None


def upgrade():
    op.execute("REINDEX INDEX CONCURRENTLY ix_events_occurred_at")  # expect: concurrent-index-in-transaction


def downgrade():
    pass
