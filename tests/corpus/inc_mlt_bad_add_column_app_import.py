# migsafe-test: rules=default,backfill-in-transaction,multiple-strong-locks,missing-lock-timeout,bare-commit
"""add last_login_at

Revision ID: 7561defb126c
Revises: 5675f312a85f
Create Date: 2024-03-05 11:22:33.000000

"""
from alembic import op
import sqlalchemy as sa

from myapp.models import User

revision = '7561defb126c'
down_revision = '5675f312a85f'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column(User.__tablename__, sa.Column('last_login_at', sa.DateTime(), nullable=True))  # expect: missing-lock-timeout


def downgrade():
    pass
