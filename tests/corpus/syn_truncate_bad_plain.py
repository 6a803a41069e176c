# migsafe-test: rules=truncate-table
"""empty the cache

Revision ID: 296d4b5f4504
Revises: a464e9f558d6
Create Date: 2024-03-05 11:22:33.000000

"""
from alembic import op
import sqlalchemy as sa

revision = '296d4b5f4504'
down_revision = 'a464e9f558d6'
branch_labels = None
depends_on = None


def upgrade():
    op.execute("TRUNCATE search_cache")  # expect: truncate-table


def downgrade():
    pass
