# migsafe-test: rules=concurrent-index-pg14-bug
# migsafe-test: pg-version=14.2
"""non-concurrent index on 14.2

Revision ID: 90a90387899e
Revises: 4a1da8847f51
Create Date: 2024-03-05 11:22:33.000000

"""
from alembic import op
import sqlalchemy as sa

revision = '90a90387899e'
down_revision = '4a1da8847f51'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_tickets_customer_id', 'tickets', ['customer_id'])


def downgrade():
    pass
