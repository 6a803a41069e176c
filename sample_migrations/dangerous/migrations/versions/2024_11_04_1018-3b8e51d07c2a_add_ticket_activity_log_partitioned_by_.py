"""add ticket activity log partitioned by month

Revision ID: 3b8e51d07c2a
Revises: 8f3a1d6c2b94
Create Date: 2024-11-04 10:18:05.331842

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '3b8e51d07c2a'
down_revision: Union[str, Sequence[str], None] = '8f3a1d6c2b94'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

# One partition per month; the nightly job creates the next ones ahead of time.
MONTHS = [('2024_10', '2024-10-01', '2024-11-01'),
          ('2024_11', '2024-11-01', '2024-12-01'),
          ('2024_12', '2024-12-01', '2025-01-01')]


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table('ticket_activity',
    sa.Column('id', sa.BigInteger(), sa.Identity(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('agent_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.PrimaryKeyConstraint('id', 'created_at'),
    postgresql_partition_by='RANGE (created_at)'
    )
    for suffix, start, end in MONTHS:
        op.execute(
            f"CREATE TABLE ticket_activity_{suffix} PARTITION OF ticket_activity "
            f"FOR VALUES FROM ('{start}') TO ('{end}')"
        )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table('ticket_activity')
