"""drop unused carts index concurrently

Revision ID: 6e7f8091a2b3
Revises: 5d6e7f8091a2
Create Date: 2024-05-16 14:00:00.000000

"""
from alembic import op

revision = '6e7f8091a2b3'
down_revision = '5d6e7f8091a2'
branch_labels = None
depends_on = None


def upgrade():
    with op.get_context().autocommit_block():
        op.drop_index('ix_carts_session_token', table_name='carts', postgresql_concurrently=True, if_exists=True)
        op.execute("DROP INDEX CONCURRENTLY IF EXISTS ix_carts_updated_at")


def downgrade():
    with op.get_context().autocommit_block():
        op.create_index('ix_carts_updated_at', 'carts', ['updated_at'], postgresql_concurrently=True)
        op.create_index('ix_carts_session_token', 'carts', ['session_token'], postgresql_concurrently=True)
