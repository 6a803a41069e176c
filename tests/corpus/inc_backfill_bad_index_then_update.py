# migsafe-test: rules=default,backfill-in-transaction,multiple-strong-locks,missing-lock-timeout,bare-commit
"""index and backfill payment kind

Revision ID: d8481d4386ef
Revises: 4e61198016c7
Create Date: 2024-03-05 11:22:33.000000

"""
from alembic import op
import sqlalchemy as sa

revision = 'd8481d4386ef'
down_revision = '4e61198016c7'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('payments', sa.Column('kind', sa.String(length=20), nullable=True))  # expect: missing-lock-timeout
    op.create_index('ix_payments_kind', 'payments', ['kind'])  # expect: index-not-concurrent
    op.execute("UPDATE payments SET kind = 'card'")  # expect: backfill-in-transaction


def downgrade():
    pass
