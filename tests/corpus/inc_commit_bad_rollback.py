# migsafe-test: rules=default,backfill-in-transaction,multiple-strong-locks,missing-lock-timeout,bare-commit
"""rollback in the middle

Revision ID: a356c664cd7d
Revises: 0e32d2329140
Create Date: 2024-03-05 11:22:33.000000

"""
from alembic import op
import sqlalchemy as sa

revision = 'a356c664cd7d'
down_revision = '0e32d2329140'
branch_labels = None
depends_on = None


def upgrade():
    op.execute("SET LOCAL lock_timeout = '5s'")
    op.add_column('profiles', sa.Column('bio', sa.Text(), nullable=True))
    op.execute("ROLLBACK")  # expect: bare-commit


def downgrade():
    pass
