"""require a ticket priority; drop the legacy reference

The pull request's new revision: SET NOT NULL on an existing table (error) and a dropped column (warning).

Revision ID: d83f5a0c7e21
Revises: 9a2c6e1f4b87
"""
from alembic import op
import sqlalchemy as sa

revision = "d83f5a0c7e21"
down_revision = "9a2c6e1f4b87"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("SET LOCAL lock_timeout = '5s'")
    op.alter_column("tickets", "priority", existing_type=sa.SmallInteger(), nullable=False)
    op.drop_column("tickets", "legacy_ref")


def downgrade() -> None:
    op.add_column("tickets", sa.Column("legacy_ref", sa.String(40), nullable=True))
    op.alter_column("tickets", "priority", existing_type=sa.SmallInteger(), nullable=True)
