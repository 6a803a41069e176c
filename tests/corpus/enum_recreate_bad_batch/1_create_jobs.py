"""create jobs

Revision ID: c5d6e7f8a9b1
Revises:
Create Date: 2022-01-01 00:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

revision = 'c5d6e7f8a9b1'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'jobs',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('state', sa.Enum('queued', 'running', 'done', 'failed', 'zombie', name='job_state'), nullable=False),
    )


def downgrade():
    op.drop_table('jobs')
    op.execute("DROP TYPE job_state")
