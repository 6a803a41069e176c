# migsafe-test: rules=reindex-not-concurrent,concurrent-index-in-transaction
"""rebuild table indexes

Revision ID: 826868292dff
Revises: 5ffd3618ca53
Create Date: 2024-03-05 11:22:33.000000

"""
from alembic import op
import sqlalchemy as sa

revision = '826868292dff'
down_revision = '5ffd3618ca53'
branch_labels = None
depends_on = None


def upgrade():
    with op.get_context().autocommit_block():
        op.execute("REINDEX TABLE tickets")  # expect: reindex-not-concurrent


def downgrade():
    pass
