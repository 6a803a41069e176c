# migsafe-test: rules=table-rewrite-command
"""move to fast storage

Revision ID: bbba7eb856fb
Revises: b673c26cd365
Create Date: 2024-03-05 11:22:33.000000

"""
from alembic import op
import sqlalchemy as sa

revision = 'bbba7eb856fb'
down_revision = 'b673c26cd365'
branch_labels = None
depends_on = None


def upgrade():
    op.execute("ALTER TABLE tickets SET TABLESPACE fast_ssd")  # expect: table-rewrite-command


def downgrade():
    pass
