# migsafe-test: rules=default,backfill-in-transaction,multiple-strong-locks,missing-lock-timeout,bare-commit
"""index tickets by workspace (autocommit block)

Revision ID: 33ce1e1997e7
Revises: e240e2793a70
Create Date: 2024-03-05 11:22:33.000000

"""
from alembic import op
import sqlalchemy as sa

revision = '33ce1e1997e7'
down_revision = 'e240e2793a70'
branch_labels = None
depends_on = None


def upgrade():
    op.execute("SET LOCAL lock_timeout = '5s'")
    op.add_column('tickets', sa.Column('workspace_id', sa.Integer(), nullable=True))
    with op.get_context().autocommit_block():
        op.create_index('ix_tickets_workspace_id', 'tickets', ['workspace_id'],
                        postgresql_concurrently=True, if_not_exists=True)


def downgrade():
    pass
