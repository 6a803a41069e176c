# migsafe-test: rules=concurrent-index-pg14-bug
# migsafe-test: pg-version=14.4
"""fixed in 14.4

Revision ID: bd2d85945efe
Revises: ecb00383631a
Create Date: 2024-03-05 11:22:33.000000

"""
from alembic import op
import sqlalchemy as sa

revision = 'bd2d85945efe'
down_revision = 'ecb00383631a'
branch_labels = None
depends_on = None


def upgrade():
    with op.get_context().autocommit_block():
        op.execute("REINDEX INDEX CONCURRENTLY ix_users_email")


def downgrade():
    pass
