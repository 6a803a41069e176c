# migsafe-test: rules=lock-table
"""lock in autocommit (fails)

Revision ID: 0c3ed5930c84
Revises: f7d0734631ba
Create Date: 2024-03-05 11:22:33.000000

"""
from alembic import op
import sqlalchemy as sa

revision = '0c3ed5930c84'
down_revision = 'f7d0734631ba'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('jobs_tmp', sa.Column('id', sa.Integer(), primary_key=True))
    with op.get_context().autocommit_block():
        op.execute("LOCK TABLE jobs_tmp IN ACCESS EXCLUSIVE MODE")  # expect: lock-table


def downgrade():
    pass
