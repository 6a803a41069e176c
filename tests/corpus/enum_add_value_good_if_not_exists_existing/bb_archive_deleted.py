"""archive soft-deleted projects

Revision ID: bb04cc05dd06
Revises: aa01bb02cc03
Create Date: 2023-06-01 00:00:00.000000

"""
from alembic import op

revision = 'bb04cc05dd06'
down_revision = 'aa01bb02cc03'
branch_labels = None
depends_on = None


def upgrade():
    # idempotent: 'archived' exists since the first revision
    op.execute("ALTER TYPE project_state ADD VALUE IF NOT EXISTS 'archived'")
    op.execute("UPDATE projects SET state = 'archived' WHERE deleted_at IS NOT NULL")


def downgrade():
    pass
