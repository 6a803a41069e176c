"""index tickets by created_at for reporting

Revision ID: 2d7f5a8e0c14
Revises: b6a1c9e3f470
Create Date: 2024-04-15 15:48:26.630917

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '2d7f5a8e0c14'
down_revision: Union[str, Sequence[str], None] = 'b6a1c9e3f470'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_index(
        op.f('ix_tickets_created_at'),
        'tickets',
        ['created_at'],
        unique=False,
        postgresql_concurrently=True,
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index(op.f('ix_tickets_created_at'), table_name='tickets')
