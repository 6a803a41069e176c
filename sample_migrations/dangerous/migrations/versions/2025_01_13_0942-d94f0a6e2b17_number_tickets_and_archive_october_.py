"""number tickets and archive october activity

Revision ID: d94f0a6e2b17
Revises: 3b8e51d07c2a
Create Date: 2025-01-13 09:42:51.660417

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = 'd94f0a6e2b17'
down_revision: Union[str, Sequence[str], None] = '3b8e51d07c2a'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    # Human-friendly ticket numbers for the UI ("#1042").
    op.add_column('tickets', sa.Column('number', sa.BigInteger(), sa.Identity(), nullable=False))

    # The assignee index bloated badly during the reassignment campaign.
    op.execute('REINDEX INDEX ix_tickets_assignee_id')

    # October activity moves to the archive database.
    op.execute('ALTER TABLE ticket_activity DETACH PARTITION ticket_activity_2024_10')

    with op.get_context().autocommit_block():
        # Give the disk space freed by the spam purge back to the operating system.
        op.execute('VACUUM FULL ticket_comments')
        # Customer pages list a customer's tickets.
        op.create_index('ix_tickets_customer_id', 'tickets', ['customer_id'], unique=False,
                        postgresql_concurrently=True)


def downgrade() -> None:
    """Downgrade schema."""
    with op.get_context().autocommit_block():
        op.drop_index('ix_tickets_customer_id', table_name='tickets', postgresql_concurrently=True)
    op.execute(
        "ALTER TABLE ticket_activity ATTACH PARTITION ticket_activity_2024_10 "
        "FOR VALUES FROM ('2024-10-01') TO ('2024-11-01')"
    )
    op.drop_column('tickets', 'number')
