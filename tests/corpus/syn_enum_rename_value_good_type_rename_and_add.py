# migsafe-test: rules=enum-rename-value
"""rename the type, add a value

Revision ID: c70594683621
Revises: d26f3fdf33b8
Create Date: 2024-03-05 11:22:33.000000

"""
from alembic import op
import sqlalchemy as sa

revision = 'c70594683621'
down_revision = 'd26f3fdf33b8'
branch_labels = None
depends_on = None


def upgrade():
    op.execute("ALTER TYPE ticket_priority RENAME TO ticket_priority_level")
    with op.get_context().autocommit_block():
        op.execute("ALTER TYPE ticket_priority_level ADD VALUE IF NOT EXISTS 'medium' AFTER 'normal'")


def downgrade():
    pass
