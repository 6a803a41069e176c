# migsafe-test: rules=reindex-not-concurrent,concurrent-index-in-transaction
"""rebuild bloated index

Revision ID: 6f0a958ee078
Revises: 86ade8084bfe
Create Date: 2024-03-05 11:22:33.000000

"""
from alembic import op
import sqlalchemy as sa

revision = '6f0a958ee078'
down_revision = '86ade8084bfe'
branch_labels = None
depends_on = None


def upgrade():
    op.execute("REINDEX INDEX ix_tickets_created_at")  # expect: reindex-not-concurrent


def downgrade():
    pass
