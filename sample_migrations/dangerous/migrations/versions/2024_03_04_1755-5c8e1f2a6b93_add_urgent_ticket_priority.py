"""add urgent ticket priority

Revision ID: 5c8e1f2a6b93
Revises: 3f2a9c1d7b4e
Create Date: 2024-03-04 17:55:38.417260

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '5c8e1f2a6b93'
down_revision: Union[str, Sequence[str], None] = '3f2a9c1d7b4e'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.execute("ALTER TYPE ticket_priority ADD VALUE 'urgent' AFTER 'high'")

    # Escalate the open outage tickets so they land in the new urgent queue right away.
    conn = op.get_bind()
    conn.execute(
        sa.text(
            "UPDATE tickets SET priority = 'urgent' "
            "WHERE status = 'open' AND subject ILIKE :pattern"
        ),
        {"pattern": "%outage%"},
    )


def downgrade() -> None:
    """Downgrade schema."""
    # PostgreSQL cannot drop a value from an enum; demote the tickets and leave the value in place.
    op.execute("UPDATE tickets SET priority = 'high' WHERE priority = 'urgent'")
