# migsafe-test: rules=default,backfill-in-transaction,multiple-strong-locks,missing-lock-timeout,bare-commit
"""index tickets by workspace

Revision ID: 95c54935b739
Revises: 0395a11841b3
Create Date: 2024-03-05 11:22:33.000000

"""
from alembic import op
import sqlalchemy as sa

revision = '95c54935b739'
down_revision = '0395a11841b3'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('tickets', sa.Column('workspace_id', sa.Integer(), nullable=True))  # expect: missing-lock-timeout
    op.execute("COMMIT")  # expect: bare-commit
    op.create_index('ix_tickets_workspace_id', 'tickets', ['workspace_id'], postgresql_concurrently=True)


def downgrade():
    pass
