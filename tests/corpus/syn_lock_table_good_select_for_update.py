# migsafe-test: rules=lock-table
"""row locks are not LOCK TABLE

Revision ID: 27a82ee4ed41
Revises: ed3362f7ba6c
Create Date: 2024-03-05 11:22:33.000000

"""
from alembic import op
import sqlalchemy as sa

revision = '27a82ee4ed41'
down_revision = 'ed3362f7ba6c'
branch_labels = None
depends_on = None


def upgrade():
    op.execute("SELECT id FROM counters WHERE name = 'invoice' FOR UPDATE")
    op.execute("COMMENT ON TABLE counters IS 'lock table rows with FOR UPDATE'")


def downgrade():
    pass
