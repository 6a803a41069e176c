# migsafe-test: rules=table-rewrite-command
"""make cache unlogged

Revision ID: 75d4832ed471
Revises: 6956d5fd4c83
Create Date: 2024-03-05 11:22:33.000000

"""
from alembic import op
import sqlalchemy as sa

revision = '75d4832ed471'
down_revision = '6956d5fd4c83'
branch_labels = None
depends_on = None


def upgrade():
    conn = op.get_bind()
    conn.execute(sa.text("ALTER TABLE page_cache SET UNLOGGED"))  # expect: table-rewrite-command


def downgrade():
    pass
