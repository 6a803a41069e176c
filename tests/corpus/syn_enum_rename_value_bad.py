# migsafe-test: rules=enum-rename-value
"""normal -> medium

Revision ID: 761366289ec3
Revises: d888c5e44ca6
Create Date: 2024-03-05 11:22:33.000000

"""
from alembic import op
import sqlalchemy as sa

revision = '761366289ec3'
down_revision = 'd888c5e44ca6'
branch_labels = None
depends_on = None


def upgrade():
    op.execute("ALTER TYPE ticket_priority RENAME VALUE 'normal' TO 'medium'")  # expect: enum-rename-value


def downgrade():
    pass
