# migsafe-test: rules=table-rewrite-command
"""make staging durable

Revision ID: 195e08b1609b
Revises: 2403365cf89a
Create Date: 2024-03-05 11:22:33.000000

"""
from alembic import op
import sqlalchemy as sa

revision = '195e08b1609b'
down_revision = '2403365cf89a'
branch_labels = None
depends_on = None


def upgrade():
    op.execute("ALTER TABLE import_rows SET LOGGED")  # expect: table-rewrite-command


def downgrade():
    pass
