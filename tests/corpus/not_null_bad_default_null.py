"""shipments need a carrier code

Revision ID: 2b3c4d5e6f7b
Revises: 1a2b3c4d5e6a
Create Date: 2024-08-12 09:00:00.000000

"""
from alembic import op

revision = '2b3c4d5e6f7b'
down_revision = '1a2b3c4d5e6a'
branch_labels = None
depends_on = None


def upgrade():
    op.execute("alter table shipments add column carrier_code text default null not null")  # expect: not-null-without-default


def downgrade():
    op.execute("alter table shipments drop column carrier_code")
