# migsafe-test: rules=concurrent-index-pg14-bug
# migsafe-test: pg-version=14.1
"""bind CIC on 14.1

Revision ID: b27c8c6896c4
Revises: 4d48b46f9f50
Create Date: 2024-03-05 11:22:33.000000

"""
from alembic import op
import sqlalchemy as sa

revision = 'b27c8c6896c4'
down_revision = '4d48b46f9f50'
branch_labels = None
depends_on = None


def upgrade():
    conn = op.get_bind()
    with op.get_context().autocommit_block():
        conn.execute(sa.text("CREATE INDEX CONCURRENTLY ix_orders_state ON orders (state)"))  # expect: concurrent-index-pg14-bug


def downgrade():
    pass
