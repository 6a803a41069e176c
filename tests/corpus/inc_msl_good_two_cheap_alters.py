# migsafe-test: rules=default,backfill-in-transaction,multiple-strong-locks,missing-lock-timeout,bare-commit
"""add two nullable columns on two tables

Revision ID: 0b3f26013c65
Revises: b4511307fd75
Create Date: 2024-03-05 11:22:33.000000

"""
from alembic import op
import sqlalchemy as sa

revision = '0b3f26013c65'
down_revision = 'b4511307fd75'
branch_labels = None
depends_on = None


def upgrade():
    op.execute("SET lock_timeout = '3s'")
    op.add_column('projects', sa.Column('archived_at', sa.DateTime(timezone=True), nullable=True))
    op.add_column('tasks', sa.Column('archived_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    pass
