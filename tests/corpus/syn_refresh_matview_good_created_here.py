# migsafe-test: rules=refresh-matview-not-concurrent
"""new view refreshed

Revision ID: 69e99aa5bb89
Revises: 2300acf827f8
Create Date: 2024-03-05 11:22:33.000000

"""
from alembic import op
import sqlalchemy as sa

revision = '69e99aa5bb89'
down_revision = '2300acf827f8'
branch_labels = None
depends_on = None


def upgrade():
    op.execute("CREATE MATERIALIZED VIEW user_counts AS SELECT org_id, count(*) AS n FROM users GROUP BY org_id WITH NO DATA")
    op.execute("REFRESH MATERIALIZED VIEW user_counts")


def downgrade():
    pass
