# migsafe-test: rules=detach-partition-not-concurrent
"""detach 2022 partition

Revision ID: 135393461e97
Revises: 221d51961720
Create Date: 2024-03-05 11:22:33.000000

"""
from alembic import op
import sqlalchemy as sa

revision = '135393461e97'
down_revision = '221d51961720'
branch_labels = None
depends_on = None


def upgrade():
    op.execute("ALTER TABLE ticket_events DETACH PARTITION ticket_events_2022")  # expect: detach-partition-not-concurrent


def downgrade():
    pass
