# migsafe-test: rules=truncate-table
"""empty two staging tables

Revision ID: cb6c59d4ace4
Revises: 0b2e32ce9f72
Create Date: 2024-03-05 11:22:33.000000

"""
from alembic import op
import sqlalchemy as sa

revision = 'cb6c59d4ace4'
down_revision = '0b2e32ce9f72'
branch_labels = None
depends_on = None


def upgrade():
    op.execute("TRUNCATE import_rows, import_errors RESTART IDENTITY")  # expect: truncate-table


def downgrade():
    pass
