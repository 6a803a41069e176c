"""replace ticket status index with a partial index

Revision ID: 7c4a1e9b3d62
Revises: 0b5f7d2e4a86
Create Date: 2024-07-29 17:03:58.274930

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '7c4a1e9b3d62'
down_revision: Union[str, Sequence[str], None] = '0b5f7d2e4a86'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    # Agents only ever list tickets that are not closed; index just those.
    with op.get_context().autocommit_block():
        op.create_index(
            'ix_tickets_assignee_id_status_not_closed',
            'tickets',
            ['assignee_id', 'status'],
            unique=False,
            postgresql_where=sa.text("status <> 'closed'"),
            postgresql_concurrently=True,
        )
        op.drop_index('ix_tickets_status', table_name='tickets')


def downgrade() -> None:
    """Downgrade schema."""
    with op.get_context().autocommit_block():
        op.create_index('ix_tickets_status', 'tickets', ['status'], unique=False, postgresql_concurrently=True)
        op.drop_index(
            'ix_tickets_assignee_id_status_not_closed',
            table_name='tickets',
            postgresql_concurrently=True,
        )
