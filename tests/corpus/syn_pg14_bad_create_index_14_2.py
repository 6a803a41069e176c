# migsafe-test: rules=concurrent-index-pg14-bug
# migsafe-test: pg-version=14.2
"""index on 14.2

Revision ID: 48b4b6a373d0
Revises: e22a3ea574c7
Create Date: 2024-03-05 11:22:33.000000

"""
from alembic import op
import sqlalchemy as sa

revision = '48b4b6a373d0'
down_revision = 'e22a3ea574c7'
branch_labels = None
depends_on = None


def upgrade():
    with op.get_context().autocommit_block():
        op.create_index('ix_tickets_customer_id', 'tickets', ['customer_id'], postgresql_concurrently=True)  # expect: concurrent-index-pg14-bug


def downgrade():
    pass
