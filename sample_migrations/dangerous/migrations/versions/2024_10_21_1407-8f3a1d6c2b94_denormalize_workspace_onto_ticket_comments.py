"""denormalize workspace onto ticket comments

Revision ID: 8f3a1d6c2b94
Revises: 5e7b3c9a2d16
Create Date: 2024-10-21 14:07:12.553901

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '8f3a1d6c2b94'
down_revision: Union[str, Sequence[str], None] = '5e7b3c9a2d16'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    # The inbox filters comments by workspace: copy it from the ticket so the query can skip the join.
    op.add_column('ticket_comments', sa.Column('workspace_id', sa.Integer(), nullable=True))
    op.execute(
        "UPDATE ticket_comments SET workspace_id = tickets.organization_id "
        "FROM tickets WHERE tickets.id = ticket_comments.ticket_id"
    )
    op.create_foreign_key(
        op.f('fk_ticket_comments_workspace_id_workspaces'), 'ticket_comments', 'workspaces',
        ['workspace_id'], ['id'], postgresql_not_valid=True,
    )

    # "CREATE INDEX CONCURRENTLY cannot run inside a transaction block"
    op.execute("COMMIT")
    op.create_index(
        op.f('ix_ticket_comments_workspace_id'), 'ticket_comments', ['workspace_id'],
        unique=False, postgresql_concurrently=True,
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index(op.f('ix_ticket_comments_workspace_id'), table_name='ticket_comments')
    op.drop_constraint(op.f('fk_ticket_comments_workspace_id_workspaces'), 'ticket_comments', type_='foreignkey')
    op.drop_column('ticket_comments', 'workspace_id')
