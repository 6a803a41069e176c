"""drop the legacy reference

The pull request's new revision: a dropped column only (a warning).

Revision ID: 2e9d7b4a1c65
Revises: 9a2c6e1f4b87
"""
from alembic import op
import sqlalchemy as sa

revision = "2e9d7b4a1c65"
down_revision = "9a2c6e1f4b87"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("SET LOCAL lock_timeout = '5s'")
    op.drop_column("tickets", "legacy_ref")


def downgrade() -> None:
    op.add_column("tickets", sa.Column("legacy_ref", sa.String(40), nullable=True))
