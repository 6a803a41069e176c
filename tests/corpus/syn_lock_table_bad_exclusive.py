# migsafe-test: rules=lock-table
"""lock tickets then update

Revision ID: 832bf7ae7f15
Revises: a32384831fbd
Create Date: 2024-03-05 11:22:33.000000

"""
from alembic import op
import sqlalchemy as sa

revision = '832bf7ae7f15'
down_revision = 'a32384831fbd'
branch_labels = None
depends_on = None


def upgrade():
    op.execute("LOCK TABLE tickets IN EXCLUSIVE MODE")  # expect: lock-table
    op.execute("UPDATE tickets SET priority = 'high' WHERE priority = 'urgent'")


def downgrade():
    pass
