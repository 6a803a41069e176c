# migsafe-test: rules=truncate-table
"""delete and comments that mention truncate

Revision ID: bdc9ec6010ed
Revises: 1866d23ce620
Create Date: 2024-03-05 11:22:33.000000

"""
from alembic import op
import sqlalchemy as sa

revision = 'bdc9ec6010ed'
down_revision = '1866d23ce620'
branch_labels = None
depends_on = None


def upgrade():
    op.execute("DELETE FROM search_cache WHERE expires_at < now()")
    op.execute("COMMENT ON TABLE search_cache IS 'safe to truncate'")


def downgrade():
    pass
