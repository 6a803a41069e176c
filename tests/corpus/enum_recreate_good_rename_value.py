"""rename plan tier 'premium' to 'pro'

Revision ID: 5e6f70819203
Revises: 4d5e6f708192
Create Date: 2024-04-11 09:00:00.000000

"""
from alembic import op

revision = '5e6f70819203'
down_revision = '4d5e6f708192'
branch_labels = None
depends_on = None


def upgrade():
    op.execute("ALTER TYPE plan_tier RENAME VALUE 'premium' TO 'pro'")


def downgrade():
    op.execute("ALTER TYPE plan_tier RENAME VALUE 'pro' TO 'premium'")
