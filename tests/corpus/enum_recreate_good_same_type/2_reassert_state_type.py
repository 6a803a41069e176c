"""re-assert shipments.state type after a manual hotfix

Revision ID: 2c3d4e5f6071
Revises: 1b2c3d4e5f60
Create Date: 2022-05-05 00:00:00.000000

"""
from alembic import op

revision = '2c3d4e5f6071'
down_revision = '1b2c3d4e5f60'
branch_labels = None
depends_on = None


def upgrade():
    op.execute("ALTER TABLE shipments ALTER COLUMN state TYPE shipment_state")


def downgrade():
    pass
