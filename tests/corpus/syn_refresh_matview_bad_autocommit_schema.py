# migsafe-test: rules=refresh-matview-not-concurrent
"""refresh in autocommit

Revision ID: 441f91a45d98
Revises: 8ac627b4765b
Create Date: 2024-03-05 11:22:33.000000

"""
from alembic import op
import sqlalchemy as sa

revision = '441f91a45d98'
down_revision = '8ac627b4765b'
branch_labels = None
depends_on = None


def upgrade():
    with op.get_context().autocommit_block():
        op.execute("REFRESH MATERIALIZED VIEW reporting.revenue_by_month")  # expect: refresh-matview-not-concurrent


def downgrade():
    pass
