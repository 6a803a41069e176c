"""add ticket priority

Revision ID: 9a2c6e1f4b87
Revises: 5f0b3d8e6a12
"""
from alembic import op
import sqlalchemy as sa

revision = "9a2c6e1f4b87"
down_revision = "5f0b3d8e6a12"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("SET LOCAL lock_timeout = '5s'")
    op.add_column("tickets", sa.Column("priority", sa.SmallInteger(), nullable=True))


def downgrade() -> None:
    op.drop_column("tickets", "priority")
