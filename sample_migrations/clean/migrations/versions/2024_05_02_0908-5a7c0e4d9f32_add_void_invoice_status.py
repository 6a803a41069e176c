"""add void invoice status

Revision ID: 5a7c0e4d9f32
Revises: d46a8e2b1c07
Create Date: 2024-05-02 09:08:44.871390

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '5a7c0e4d9f32'
down_revision: Union[str, Sequence[str], None] = 'd46a8e2b1c07'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    # ALTER TYPE ... ADD VALUE commits on its own, so the new value is usable right away.
    with op.get_context().autocommit_block():
        op.execute("ALTER TYPE invoice_status ADD VALUE IF NOT EXISTS 'void' AFTER 'paid'")


def downgrade() -> None:
    """Downgrade schema."""
    # PostgreSQL cannot remove a value from an enum type; 'void' stays.
    pass
