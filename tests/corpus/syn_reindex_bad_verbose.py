# migsafe-test: rules=reindex-not-concurrent,concurrent-index-in-transaction
"""verbose reindex

Revision ID: 55c0da859afb
Revises: 5efd6d9f9934
Create Date: 2024-03-05 11:22:33.000000

"""
from alembic import op
import sqlalchemy as sa

revision = '55c0da859afb'
down_revision = '5efd6d9f9934'
branch_labels = None
depends_on = None


def upgrade():
    op.get_bind().execute(sa.text("REINDEX (VERBOSE) INDEX ix_users_email"))  # expect: reindex-not-concurrent


def downgrade():
    pass
