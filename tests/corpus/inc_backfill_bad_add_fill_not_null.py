# migsafe-test: rules=default,backfill-in-transaction,multiple-strong-locks,missing-lock-timeout,bare-commit
"""add display_name to users and fill it

Revision ID: b7cc37d76dd6
Revises: 1871ad8a998e
Create Date: 2024-03-05 11:22:33.000000

"""
from alembic import op
import sqlalchemy as sa

revision = 'b7cc37d76dd6'
down_revision = '1871ad8a998e'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('users', sa.Column('display_name', sa.String(length=120), nullable=True))  # expect: missing-lock-timeout
    op.execute("UPDATE users SET display_name = first_name || ' ' || last_name")  # expect: backfill-in-transaction
    op.alter_column('users', 'display_name', existing_type=sa.String(length=120), nullable=False)  # expect: set-not-null


def downgrade():
    pass
