"""split full names into first/last

Revision ID: 1f2a3b4c5d6f
Revises: 0e1f2a3b4c5e
Create Date: 2025-01-28 09:00:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision: str = '1f2a3b4c5d6f'
down_revision: Union[str, None] = '0e1f2a3b4c5e'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.add_column('contacts', sa.Column('first_name', sa.String(length=60), nullable=True))
    op.add_column('contacts', sa.Column('last_name', sa.String(length=60), nullable=True))
    conn = op.get_bind()
    if conn.dialect.name != 'postgresql':
        return
    rows = conn.execute(sa.text("SELECT id, full_name FROM contacts WHERE full_name IS NOT NULL")).fetchall()
    for row in rows:
        first, _, last = row.full_name.partition(' ')
        conn.execute(
            sa.text("UPDATE contacts SET first_name = :f, last_name = :l WHERE id = :id"),
            {'f': first, 'l': last, 'id': row.id},
        )
    count = conn.execute(sa.text("SELECT count(*) FROM contacts")).scalar()
    if count and count > 1_000_000:
        print("large table: run the backfill script instead")


def downgrade() -> None:
    op.drop_column('contacts', 'last_name')
    op.drop_column('contacts', 'first_name')
