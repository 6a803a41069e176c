# migsafe-test: rules=default,backfill-in-transaction,multiple-strong-locks,missing-lock-timeout,bare-commit
"""index concurrently then add column

Revision ID: 5e4d9e0efadf
Revises: 40526b793f9d
Create Date: 2024-03-05 11:22:33.000000

"""
from alembic import op
import sqlalchemy as sa

revision = '5e4d9e0efadf'
down_revision = '40526b793f9d'
branch_labels = None
depends_on = None


def upgrade():
    op.execute("SET LOCAL lock_timeout = '5s'")
    with op.get_context().autocommit_block():
        op.create_index('ix_events_user_id', 'events', ['user_id'], postgresql_concurrently=True)
    op.add_column('events', sa.Column('source', sa.String(length=30), nullable=True))  # expect: missing-lock-timeout


def downgrade():
    pass
