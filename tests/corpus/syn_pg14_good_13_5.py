# migsafe-test: rules=concurrent-index-pg14-bug
# migsafe-test: pg-version=13.5
"""13.x unaffected

Revision ID: 459e55e46a40
Revises: 8d203d4839a1
Create Date: 2024-03-05 11:22:33.000000

"""
from alembic import op
import sqlalchemy as sa

revision = '459e55e46a40'
down_revision = '8d203d4839a1'
branch_labels = None
depends_on = None


def upgrade():
    with op.get_context().autocommit_block():
        op.create_index('ix_tickets_customer_id', 'tickets', ['customer_id'], postgresql_concurrently=True)


def downgrade():
    pass
