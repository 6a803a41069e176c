"""rename organizations to workspaces

Revision ID: c1f7e4b2a958
Revises: 93a6f2c8e1d0
Create Date: 2024-09-09 15:20:34.448519

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = 'c1f7e4b2a958'
down_revision: Union[str, Sequence[str], None] = '93a6f2c8e1d0'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.rename_table('organizations', 'workspaces')
    op.execute('ALTER SEQUENCE organizations_id_seq RENAME TO workspaces_id_seq')


def downgrade() -> None:
    """Downgrade schema."""
    op.execute('ALTER SEQUENCE workspaces_id_seq RENAME TO organizations_id_seq')
    op.rename_table('workspaces', 'organizations')
