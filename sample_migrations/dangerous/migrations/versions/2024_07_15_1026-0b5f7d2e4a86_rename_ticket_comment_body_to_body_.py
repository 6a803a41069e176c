"""rename ticket comment body to body_markdown

Revision ID: 0b5f7d2e4a86
Revises: d2e9a6c3f518
Create Date: 2024-07-15 10:26:33.509147

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0b5f7d2e4a86'
down_revision: Union[str, Sequence[str], None] = 'd2e9a6c3f518'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table('ticket_comments', schema=None) as batch_op:
        batch_op.alter_column('body',
               new_column_name='body_markdown',
               existing_type=sa.Text(),
               existing_nullable=False)


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('ticket_comments', schema=None) as batch_op:
        batch_op.alter_column('body_markdown',
               new_column_name='body',
               existing_type=sa.Text(),
               existing_nullable=False)
