# migsafe-test: rules=concurrent-index-pg14-bug
# migsafe-test: pg-version=14.0
"""reindex concurrently on 14.0

Revision ID: 21072945fe01
Revises: 171b0a3f7e60
Create Date: 2024-03-05 11:22:33.000000

"""
from alembic import op
import sqlalchemy as sa

revision = '21072945fe01'
down_revision = '171b0a3f7e60'
branch_labels = None
depends_on = None


def upgrade():
    with op.get_context().autocommit_block():
        op.execute("REINDEX INDEX CONCURRENTLY ix_users_email")  # expect: concurrent-index-pg14-bug


def downgrade():
    pass
