"""drop retired profile columns

Revision ID: 7a8b9c0d1e5c
Revises: 4d5e6f7a8b2f
Create Date: 2025-07-07 09:00:00.000000

"""
from alembic import op

revision = '7a8b9c0d1e5c'
down_revision = '4d5e6f7a8b2f'
branch_labels = None
depends_on = None


def upgrade():
    op.execute("SET lock_timeout = '5s'")
    op.drop_column('profiles', 'icq_number')  # migsafe: ignore[drop-column] unused since release 41
    # migsafe: ignore[drop-column] unused since release 42
    op.drop_column('profiles', 'aim_handle')
    op.drop_column('profiles', 'msn_address')  # expect: drop-column


def downgrade():
    pass
