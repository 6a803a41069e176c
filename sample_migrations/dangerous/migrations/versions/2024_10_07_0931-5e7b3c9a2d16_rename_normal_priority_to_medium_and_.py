"""rename normal priority to medium and reset sla policies

Revision ID: 5e7b3c9a2d16
Revises: a84d2f6c1e37
Create Date: 2024-10-07 09:31:48.215094

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '5e7b3c9a2d16'
down_revision: Union[str, Sequence[str], None] = 'a84d2f6c1e37'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    # Product renamed the "normal" priority to "medium".
    op.execute("ALTER TYPE ticket_priority RENAME VALUE 'normal' TO 'medium'")

    # Every workspace starts over with the new default SLA policy.
    op.execute("TRUNCATE sla_policies CASCADE")
    op.execute(
        "INSERT INTO sla_policies (organization_id, name, first_response_minutes, resolution_minutes) "
        "SELECT id, 'Standard', 240, 2880 FROM workspaces"
    )

    # Keep agents from editing tickets while the dashboard numbers are rebuilt.
    op.execute("LOCK TABLE tickets IN EXCLUSIVE MODE")
    op.execute("REFRESH MATERIALIZED VIEW ticket_daily_stats")


def downgrade() -> None:
    """Downgrade schema."""
    op.execute("ALTER TYPE ticket_priority RENAME VALUE 'medium' TO 'normal'")
    # The previous SLA policies are not restored.
