# migsafe-test: rules=concurrent-index-pg14-bug
# migsafe-test: pg-version=14.3
"""raw CIC on 14.3

Revision ID: 0b23d4e0aadd
Revises: 9b7364b6fd63
Create Date: 2024-03-05 11:22:33.000000

"""
from alembic import op
import sqlalchemy as sa

revision = '0b23d4e0aadd'
down_revision = '9b7364b6fd63'
branch_labels = None
depends_on = None


def upgrade():
    with op.get_context().autocommit_block():
        op.execute("CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS ux_accounts_slug ON accounts (slug)")  # expect: concurrent-index-pg14-bug


def downgrade():
    pass
