"""add ticket daily stats materialized view

Revision ID: a84d2f6c1e37
Revises: c1f7e4b2a958
Create Date: 2024-09-23 11:04:12.907316

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = 'a84d2f6c1e37'
down_revision: Union[str, Sequence[str], None] = 'c1f7e4b2a958'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    # Backs the support dashboard: one row per day, status and priority.
    op.execute(
        "CREATE MATERIALIZED VIEW ticket_daily_stats AS "
        "SELECT date_trunc('day', created_at) AS day, status, priority, count(*) AS tickets "
        "FROM tickets GROUP BY 1, 2, 3"
    )
    # One row per (day, status, priority): the key REFRESH ... CONCURRENTLY matches rows on.
    op.execute("CREATE UNIQUE INDEX ux_ticket_daily_stats ON ticket_daily_stats (day, status, priority)")


def downgrade() -> None:
    """Downgrade schema."""
    op.execute("DROP MATERIALIZED VIEW ticket_daily_stats")
