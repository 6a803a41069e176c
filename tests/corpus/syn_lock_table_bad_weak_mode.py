# migsafe-test: rules=lock-table
"""row exclusive lock

Revision ID: 3f49df787c21
Revises: 25047fc4b19d
Create Date: 2024-03-05 11:22:33.000000

"""
from alembic import op
import sqlalchemy as sa

revision = '3f49df787c21'
down_revision = '25047fc4b19d'
branch_labels = None
depends_on = None


def upgrade():
    op.execute("LOCK TABLE invoices IN ROW EXCLUSIVE MODE")  # expect: lock-table


def downgrade():
    pass
