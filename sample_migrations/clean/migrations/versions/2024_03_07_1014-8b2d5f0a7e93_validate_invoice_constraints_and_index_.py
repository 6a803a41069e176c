"""validate invoice constraints and index created_by_id

Revision ID: 8b2d5f0a7e93
Revises: 1f6c3a9e8b57
Create Date: 2024-03-07 10:14:50.063827

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '8b2d5f0a7e93'
down_revision: Union[str, Sequence[str], None] = '1f6c3a9e8b57'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    # VALIDATE CONSTRAINT scans the table under a SHARE UPDATE EXCLUSIVE lock: reads and writes go on.
    op.execute("ALTER TABLE invoices VALIDATE CONSTRAINT fk_invoices_created_by_id_users")
    op.execute("ALTER TABLE invoice_items VALIDATE CONSTRAINT ck_invoice_items_unit_price_non_negative")

    with op.get_context().autocommit_block():
        op.create_index(
            op.f('ix_invoices_created_by_id'),
            'invoices',
            ['created_by_id'],
            unique=False,
            postgresql_concurrently=True,
        )


def downgrade() -> None:
    """Downgrade schema."""
    with op.get_context().autocommit_block():
        op.drop_index(op.f('ix_invoices_created_by_id'), table_name='invoices', postgresql_concurrently=True)
    # A validated constraint cannot be marked NOT VALID again; nothing else to undo.
