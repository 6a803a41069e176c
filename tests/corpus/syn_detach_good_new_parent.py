# migsafe-test: rules=detach-partition-not-concurrent
"""partitioned table created here

Revision ID: d1b3a92156ec
Revises: d658a880b6bd
Create Date: 2024-03-05 11:22:33.000000

"""
from alembic import op
import sqlalchemy as sa

revision = 'd1b3a92156ec'
down_revision = 'd658a880b6bd'
branch_labels = None
depends_on = None


def upgrade():
    op.execute("CREATE TABLE clicks (id bigint, at timestamptz) PARTITION BY RANGE (at)")
    op.execute("CREATE TABLE clicks_2024 PARTITION OF clicks FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')")
    op.execute("ALTER TABLE clicks DETACH PARTITION clicks_2024")


def downgrade():
    pass
