"""index invoices by account and due date

Revision ID: e3a90f17c5d2
Revises: b05d2c8f6a41
Create Date: 2024-02-21 11:58:02.945163

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = 'e3a90f17c5d2'
down_revision: Union[str, Sequence[str], None] = 'b05d2c8f6a41'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    # CREATE INDEX CONCURRENTLY cannot run inside a transaction.
    with op.get_context().autocommit_block():
        op.create_index(
            'ix_invoices_account_id_due_on',
            'invoices',
            ['account_id', 'due_on'],
            unique=False,
            postgresql_concurrently=True,
            if_not_exists=True,
        )


def downgrade() -> None:
    """Downgrade schema."""
    with op.get_context().autocommit_block():
        op.drop_index(
            'ix_invoices_account_id_due_on',
            table_name='invoices',
            postgresql_concurrently=True,
            if_exists=True,
        )
