# migsafe-test: rules=detach-partition-not-concurrent
"""detach concurrently

Revision ID: 248c60c78d4f
Revises: 889a529fb6be
Create Date: 2024-03-05 11:22:33.000000

"""
from alembic import op
import sqlalchemy as sa

revision = '248c60c78d4f'
down_revision = '889a529fb6be'
branch_labels = None
depends_on = None


def upgrade():
    with op.get_context().autocommit_block():
        op.execute("ALTER TABLE ticket_events DETACH PARTITION ticket_events_2022 CONCURRENTLY")


def downgrade():
    pass
