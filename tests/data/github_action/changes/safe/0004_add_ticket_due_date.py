"""add a ticket due date

The pull request's new revision, written safely: a nullable column without a default.

Revision ID: 7b1e0c5d9f43
Revises: 9a2c6e1f4b87
"""
from alembic import op
import sqlalchemy as sa

revision = "7b1e0c5d9f43"
down_revision = "9a2c6e1f4b87"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("SET LOCAL lock_timeout = '5s'")
    op.add_column("tickets", sa.Column("due_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    op.drop_column("tickets", "due_at")
