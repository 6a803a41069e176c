# migsafe-test: rules=detach-partition-not-concurrent
# migsafe-test: pg-version=13
"""detach on 13

Revision ID: 8fae20afd39b
Revises: 223df0785df7
Create Date: 2024-03-05 11:22:33.000000

"""
from alembic import op
import sqlalchemy as sa

revision = '8fae20afd39b'
down_revision = '223df0785df7'
branch_labels = None
depends_on = None


def upgrade():
    op.execute("SET LOCAL lock_timeout = '5s'")
    op.execute("ALTER TABLE metrics DETACH PARTITION metrics_2021_01")  # expect: detach-partition-not-concurrent


def downgrade():
    pass
