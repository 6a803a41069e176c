# migsafe-test: rules=default,backfill-in-transaction,multiple-strong-locks,missing-lock-timeout,bare-commit
"""SET LOCAL via bind

Revision ID: 6b2fab5158fb
Revises: 964853c242c8
Create Date: 2024-03-05 11:22:33.000000

"""
from alembic import op
import sqlalchemy as sa

revision = '6b2fab5158fb'
down_revision = '964853c242c8'
branch_labels = None
depends_on = None


def upgrade():
    conn = op.get_bind()
    conn.execute(sa.text("SET LOCAL lock_timeout TO '3s'"))
    op.add_column('projects', sa.Column('color', sa.String(length=7), nullable=True))


def downgrade():
    pass
