"""drop unused customer columns

Revision ID: 4d5e6f7a8b2f
Revises: 3c4d5e6f7a1e
Create Date: 2025-06-30 09:00:00.000000

"""
from alembic import op

revision = '4d5e6f7a8b2f'
down_revision = '3c4d5e6f7a1e'
branch_labels = None
depends_on = None


def upgrade():
    op.execute("SET lock_timeout = '5s'")
    op.execute("ALTER TABLE crm.customers DROP COLUMN IF EXISTS fax_number, DROP COLUMN IF EXISTS pager_number")  # expect: drop-column


def downgrade():
    op.execute("ALTER TABLE crm.customers ADD COLUMN fax_number text, ADD COLUMN pager_number text")
