"""assign tickets to a queue

The pull request's new revision reads a settings file that exists only on the deploy hosts: it cannot be loaded.

Revision ID: 4a6f2d8c0e19
Revises: 9a2c6e1f4b87
"""
import os

from alembic import op
import sqlalchemy as sa

revision = "4a6f2d8c0e19"
down_revision = "9a2c6e1f4b87"
branch_labels = None
depends_on = None

with open(os.path.join("/nonexistent-deploy-settings", "helpdesk_test_default_queue")) as settings:
    DEFAULT_QUEUE = settings.read().strip()


def upgrade() -> None:
    op.execute("SET LOCAL lock_timeout = '5s'")
    op.add_column("tickets", sa.Column("queue", sa.String(40), nullable=True, server_default=DEFAULT_QUEUE))


def downgrade() -> None:
    op.drop_column("tickets", "queue")
