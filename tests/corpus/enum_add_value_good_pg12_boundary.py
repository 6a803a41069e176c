# migsafe-test: pg-version=12
"""add 'paused' to campaign_state

Revision ID: a3b4c5d6e7f9
Revises: f2a3b4c5d6e8
Create Date: 2020-10-01 09:00:00.000000

"""
from alembic import op

revision = 'a3b4c5d6e7f9'
down_revision = 'f2a3b4c5d6e8'
branch_labels = None
depends_on = None


def upgrade():
    op.execute("ALTER TYPE campaign_state ADD VALUE 'paused' AFTER 'running'")
    op.execute("UPDATE campaigns SET state = 'draft' WHERE started_at IS NULL")


def downgrade():
    pass
