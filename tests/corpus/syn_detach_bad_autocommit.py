# migsafe-test: rules=detach-partition-not-concurrent
"""detach in autocommit without concurrently

Revision ID: e57f39de0ad3
Revises: 20b34458c50f
Create Date: 2024-03-05 11:22:33.000000

"""
from alembic import op
import sqlalchemy as sa

revision = 'e57f39de0ad3'
down_revision = '20b34458c50f'
branch_labels = None
depends_on = None


def upgrade():
    with op.get_context().autocommit_block():
        op.execute("ALTER TABLE IF EXISTS public.logs DETACH PARTITION public.logs_2020")  # expect: detach-partition-not-concurrent


def downgrade():
    pass
