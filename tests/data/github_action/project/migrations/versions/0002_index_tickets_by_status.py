"""index tickets by status

Merged long before the pull request: its finding must not be reported on the pull request.

Revision ID: 5f0b3d8e6a12
Revises: 1c4e7a9b2d30
"""
from alembic import op

revision = "5f0b3d8e6a12"
down_revision = "1c4e7a9b2d30"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("SET LOCAL lock_timeout = '5s'")
    op.create_index("ix_tickets_status", "tickets", ["status"])


def downgrade() -> None:
    op.drop_index("ix_tickets_status", table_name="tickets")
