"""create tickets

Revision ID: 1c4e7a9b2d30
Revises:
"""
from alembic import op
import sqlalchemy as sa

from helpdesk.statuses import TICKET_STATUSES

revision = "1c4e7a9b2d30"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "tickets",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("subject", sa.String(200), nullable=False),
        sa.Column("status", sa.Enum(*TICKET_STATUSES, name="ticket_status"), nullable=False,
                  server_default="open"),
        sa.Column("legacy_ref", sa.String(40), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("tickets")
    op.execute("DROP TYPE ticket_status")
