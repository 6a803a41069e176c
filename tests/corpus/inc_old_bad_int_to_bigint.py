# migsafe-test: rules=default,backfill-in-transaction,multiple-strong-locks,missing-lock-timeout,bare-commit
"""events.id to bigint

Revision ID: f50879d66951
Revises: adebc0293ab9
Create Date: 2024-03-05 11:22:33.000000

"""
from alembic import op
import sqlalchemy as sa

revision = 'f50879d66951'
down_revision = 'adebc0293ab9'
branch_labels = None
depends_on = None


def upgrade():
    op.alter_column('events', 'id', existing_type=sa.Integer(), type_=sa.BigInteger())  # expect: column-type-rewrite, missing-lock-timeout


def downgrade():
    pass
