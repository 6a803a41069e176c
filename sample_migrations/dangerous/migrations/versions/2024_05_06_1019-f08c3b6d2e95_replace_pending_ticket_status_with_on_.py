"""replace pending ticket status with on_hold

Revision ID: f08c3b6d2e95
Revises: 2d7f5a8e0c14
Create Date: 2024-05-06 10:19:53.341872

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision: str = 'f08c3b6d2e95'
down_revision: Union[str, Sequence[str], None] = '2d7f5a8e0c14'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.execute("ALTER TYPE ticket_status RENAME TO ticket_status_old")
    ticket_status = postgresql.ENUM('new', 'open', 'on_hold', 'solved', 'closed', name='ticket_status')
    ticket_status.create(op.get_bind())
    op.execute("ALTER TABLE tickets ALTER COLUMN status DROP DEFAULT")
    op.execute(
        "ALTER TABLE tickets ALTER COLUMN status TYPE ticket_status "
        "USING (CASE status::text WHEN 'pending' THEN 'on_hold' ELSE status::text END)::ticket_status"
    )
    op.execute("ALTER TABLE tickets ALTER COLUMN status SET DEFAULT 'new'")
    op.execute("DROP TYPE ticket_status_old")


def downgrade() -> None:
    """Downgrade schema."""
    op.execute("ALTER TYPE ticket_status RENAME TO ticket_status_old")
    ticket_status = postgresql.ENUM('new', 'open', 'pending', 'solved', 'closed', name='ticket_status')
    ticket_status.create(op.get_bind())
    op.execute("ALTER TABLE tickets ALTER COLUMN status DROP DEFAULT")
    op.execute(
        "ALTER TABLE tickets ALTER COLUMN status TYPE ticket_status "
        "USING (CASE status::text WHEN 'on_hold' THEN 'pending' ELSE status::text END)::ticket_status"
    )
    op.execute("ALTER TABLE tickets ALTER COLUMN status SET DEFAULT 'new'")
    op.execute("DROP TYPE ticket_status_old")
