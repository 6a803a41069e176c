# migsafe-test: rules=table-rewrite-command
"""move index

Revision ID: 4dc332c10f42
Revises: 1ed0a3329aa3
Create Date: 2024-03-05 11:22:33.000000

"""
from alembic import op
import sqlalchemy as sa

revision = '4dc332c10f42'
down_revision = '1ed0a3329aa3'
branch_labels = None
depends_on = None


def upgrade():
    op.execute("ALTER INDEX ix_tickets_created_at SET TABLESPACE fast_ssd")  # expect: table-rewrite-command


def downgrade():
    pass
