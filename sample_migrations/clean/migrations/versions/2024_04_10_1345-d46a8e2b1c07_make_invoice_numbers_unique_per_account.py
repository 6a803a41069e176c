"""make invoice numbers unique per account

Revision ID: d46a8e2b1c07
Revises: 8b2d5f0a7e93
Create Date: 2024-04-10 13:45:16.532204

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = 'd46a8e2b1c07'
down_revision: Union[str, Sequence[str], None] = '8b2d5f0a7e93'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    # Build the unique index without blocking writes, then promote it to a constraint:
    # ADD CONSTRAINT ... USING INDEX only updates the catalog.
    with op.get_context().autocommit_block():
        op.execute(
            "CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS uq_invoices_account_id_number "
            "ON invoices (account_id, number)"
        )
    op.execute("SET LOCAL lock_timeout = '2s'")
    op.execute(
        "ALTER TABLE invoices ADD CONSTRAINT uq_invoices_account_id_number "
        "UNIQUE USING INDEX uq_invoices_account_id_number"
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_constraint('uq_invoices_account_id_number', 'invoices', type_='unique')
