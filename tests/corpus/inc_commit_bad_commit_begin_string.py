# migsafe-test: rules=default,backfill-in-transaction,multiple-strong-locks,missing-lock-timeout,bare-commit
"""commit and begin around concurrent index

Revision ID: 7a4372411024
Revises: 953bcbe331b9
Create Date: 2024-03-05 11:22:33.000000

"""
from alembic import op
import sqlalchemy as sa

revision = '7a4372411024'
down_revision = '953bcbe331b9'
branch_labels = None
depends_on = None


def upgrade():
    op.execute("SET lock_timeout = '5s'")
    op.add_column('leads', sa.Column('score', sa.Integer(), nullable=True))
    op.execute("COMMIT")  # expect: bare-commit
    op.execute("CREATE INDEX CONCURRENTLY IF NOT EXISTS ix_leads_score ON leads (score)")
    op.execute("BEGIN")
    op.execute("COMMIT")


def downgrade():
    pass
