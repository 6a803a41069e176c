"""add retry_count to jobs

Revision ID: 1a2b3c4d5e6a
Revises: 091a2b3c4d5e
Create Date: 2024-08-05 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

revision = '1a2b3c4d5e6a'
down_revision = '091a2b3c4d5e'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column(  # expect: not-null-without-default
        'jobs',
        sa.Column('retry_count', sa.Integer(), nullable=False, default=0),
    )


def downgrade():
    op.drop_column('jobs', 'retry_count')
