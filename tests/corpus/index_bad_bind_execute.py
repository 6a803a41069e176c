"""index events by (account_id, occurred_at)

Revision ID: 0e1f2a3b4c5d
Revises: 9d0e1f2a3b4c
Create Date: 2024-03-15 12:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

revision = '0e1f2a3b4c5d'
down_revision = '9d0e1f2a3b4c'
branch_labels = None
depends_on = None


def upgrade():
    bind = op.get_bind()
    bind.execute(sa.text("CREATE INDEX ix_events_account_occurred ON events (account_id, occurred_at DESC)"))  # expect: index-not-concurrent


def downgrade():
    op.get_bind().execute(sa.text("DROP INDEX ix_events_account_occurred"))
