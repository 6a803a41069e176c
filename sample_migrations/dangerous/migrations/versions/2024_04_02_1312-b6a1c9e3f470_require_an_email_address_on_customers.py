"""require an email address on customers

Revision ID: b6a1c9e3f470
Revises: 9e2d4b7c1a05
Create Date: 2024-04-02 13:12:44.208391

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = 'b6a1c9e3f470'
down_revision: Union[str, Sequence[str], None] = '9e2d4b7c1a05'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    # Customers imported from the old widget have no email; give them an undeliverable placeholder.
    conn = op.get_bind()
    conn.execute(
        sa.text(
            "UPDATE customers "
            "SET email = 'customer-' || id || '@no-email.deskflow.invalid' "
            "WHERE email IS NULL"
        )
    )
    op.alter_column('customers', 'email',
               existing_type=sa.VARCHAR(length=255),
               nullable=False)


def downgrade() -> None:
    """Downgrade schema."""
    op.alter_column('customers', 'email',
               existing_type=sa.VARCHAR(length=255),
               nullable=True)
