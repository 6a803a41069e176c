# migsafe-test: rules=refresh-matview-not-concurrent
"""refresh via bind

Revision ID: 31b3f10b9790
Revises: 05fffc705bee
Create Date: 2024-03-05 11:22:33.000000

"""
from alembic import op
import sqlalchemy as sa

revision = '31b3f10b9790'
down_revision = '05fffc705bee'
branch_labels = None
depends_on = None


def upgrade():
    op.get_bind().execute(sa.text("REFRESH MATERIALIZED VIEW search_index WITH DATA"))  # expect: refresh-matview-not-concurrent


def downgrade():
    pass
