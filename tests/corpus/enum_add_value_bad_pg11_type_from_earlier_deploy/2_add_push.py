"""add push notifications (a later deploy: the type's transaction committed long ago)

Revision ID: d4b6f8a0c2e3
Revises: c3a5e7f9b1d2
Create Date: 2021-06-30 14:45:00.000000

"""
from alembic import op

revision = 'd4b6f8a0c2e3'
down_revision = 'c3a5e7f9b1d2'
branch_labels = None
depends_on = None


def upgrade():
    op.execute("ALTER TYPE notification_channel ADD VALUE 'push'")  # expect: enum-add-value-in-transaction


def downgrade():
    pass
