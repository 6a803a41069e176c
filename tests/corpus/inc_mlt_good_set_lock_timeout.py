# migsafe-test: rules=default,backfill-in-transaction,multiple-strong-locks,missing-lock-timeout,bare-commit
"""add last_login_at with a lock timeout

Revision ID: 8d5623cdbd5d
Revises: 87eb971c4b4a
Create Date: 2024-03-05 11:22:33.000000

"""
from alembic import op
import sqlalchemy as sa

revision = '8d5623cdbd5d'
down_revision = '87eb971c4b4a'
branch_labels = None
depends_on = None


def upgrade():
    op.execute("SET lock_timeout = '5s'")
    op.add_column('users', sa.Column('last_login_at', sa.DateTime(), nullable=True))
    op.drop_column('users', 'legacy_flags')  # expect: drop-column


def downgrade():
    pass
