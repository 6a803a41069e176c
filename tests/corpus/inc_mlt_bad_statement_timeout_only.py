# migsafe-test: rules=default,backfill-in-transaction,multiple-strong-locks,missing-lock-timeout,bare-commit
"""add archived flag with a statement timeout

Revision ID: 73c7b11707f3
Revises: 646b64729704
Create Date: 2024-03-05 11:22:33.000000

"""
from alembic import op
import sqlalchemy as sa

revision = '73c7b11707f3'
down_revision = '646b64729704'
branch_labels = None
depends_on = None


def upgrade():
    op.execute("SET statement_timeout = '30s'")
    op.add_column('boards', sa.Column('archived', sa.Boolean(), server_default=sa.false(), nullable=False))  # expect: missing-lock-timeout


def downgrade():
    pass
