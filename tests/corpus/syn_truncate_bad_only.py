# migsafe-test: rules=truncate-table
"""truncate only parent

Revision ID: 17de27792e22
Revises: d9fefc382ff6
Create Date: 2024-03-05 11:22:33.000000

"""
from alembic import op
import sqlalchemy as sa

revision = '17de27792e22'
down_revision = 'd9fefc382ff6'
branch_labels = None
depends_on = None


def upgrade():
    op.execute("TRUNCATE ONLY events")  # expect: truncate-table


def downgrade():
    pass
