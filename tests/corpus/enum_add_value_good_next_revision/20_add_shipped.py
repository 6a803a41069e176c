"""add shipped status

Revision ID: 20b3c5d7e9f1
Revises: 10a2b4c6d8e0
Create Date: 2023-03-01 00:00:00.000000

"""
from alembic import op

revision = '20b3c5d7e9f1'
down_revision = '10a2b4c6d8e0'
branch_labels = None
depends_on = None


def upgrade():
    op.execute("ALTER TYPE order_status ADD VALUE 'shipped'")


def downgrade():
    pass
