# migsafe-test: rules=detach-partition-not-concurrent
"""finalize and attach

Revision ID: 4859ecf5a6ef
Revises: feadd8b43e35
Create Date: 2024-03-05 11:22:33.000000

"""
from alembic import op
import sqlalchemy as sa

revision = '4859ecf5a6ef'
down_revision = 'feadd8b43e35'
branch_labels = None
depends_on = None


def upgrade():
    op.execute("ALTER TABLE ticket_events DETACH PARTITION ticket_events_2021 FINALIZE")
    op.execute("ALTER TABLE ticket_events ATTACH PARTITION ticket_events_2025 FOR VALUES FROM ('2025-01-01') TO ('2026-01-01')")


def downgrade():
    pass
