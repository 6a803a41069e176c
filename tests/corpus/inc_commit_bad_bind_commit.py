# migsafe-test: rules=default,backfill-in-transaction,multiple-strong-locks,missing-lock-timeout,bare-commit
"""concurrent index after bind commit

Revision ID: 5b46de67bb90
Revises: 1a1dd303294c
Create Date: 2024-03-05 11:22:33.000000

"""
from alembic import op
import sqlalchemy as sa

revision = '5b46de67bb90'
down_revision = '1a1dd303294c'
branch_labels = None
depends_on = None


def upgrade():
    conn = op.get_bind()
    conn.commit()  # expect: bare-commit
    conn.execute(sa.text("CREATE INDEX CONCURRENTLY IF NOT EXISTS ix_messages_thread_id ON messages (thread_id)"))  # expect: concurrent-index-in-transaction


def downgrade():
    pass
