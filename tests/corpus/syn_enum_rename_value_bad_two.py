# migsafe-test: rules=enum-rename-value
"""two renames

Revision ID: 3fbb66541162
Revises: 37d0ea0bfa0b
Create Date: 2024-03-05 11:22:33.000000

"""
from alembic import op
import sqlalchemy as sa

revision = '3fbb66541162'
down_revision = '37d0ea0bfa0b'
branch_labels = None
depends_on = None


def upgrade():
    op.execute("ALTER TYPE job_state RENAME VALUE 'queued' TO 'pending'")  # expect: enum-rename-value
    op.execute("ALTER TYPE job_state RENAME VALUE 'done' TO 'succeeded'")  # expect: enum-rename-value


def downgrade():
    pass
