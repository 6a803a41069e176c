"""expand: add people.family_name (backfilled by a job)

Revision ID: d0e1f2a3b4c6
Revises: c9d0e1f2a3b5
Create Date: 2022-03-01 00:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

revision = 'd0e1f2a3b4c6'
down_revision = 'c9d0e1f2a3b5'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('people', sa.Column('family_name', sa.String(length=80), nullable=True))


def downgrade():
    op.drop_column('people', 'family_name')
