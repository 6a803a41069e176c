# migsafe-test: rules=concurrent-index-pg14-bug
# migsafe-test: pg-version=14
"""bare 14 means latest minor

Revision ID: 5a798865fa60
Revises: 202ffc49893e
Create Date: 2024-03-05 11:22:33.000000

"""
from alembic import op
import sqlalchemy as sa

revision = '5a798865fa60'
down_revision = '202ffc49893e'
branch_labels = None
depends_on = None


def upgrade():
    with op.get_context().autocommit_block():
        op.create_index('ix_tickets_customer_id', 'tickets', ['customer_id'], postgresql_concurrently=True)


def downgrade():
    pass
