# migsafe-test: rules=default,backfill-in-transaction,multiple-strong-locks,missing-lock-timeout,bare-commit
"""mark stale sessions expired

Revision ID: 59b051d609da
Revises: 05bf9065adf3
Create Date: 2024-03-05 11:22:33.000000

"""
from alembic import op
import sqlalchemy as sa

revision = '59b051d609da'
down_revision = '05bf9065adf3'
branch_labels = None
depends_on = None


def upgrade():
    conn = op.get_bind()
    conn.exec_driver_sql("UPDATE user_sessions SET expired = true WHERE last_seen < now() - interval '30 days'")  # expect: backfill-in-transaction


def downgrade():
    pass
