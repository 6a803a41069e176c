"""merge heads

Revision ID: dd44ee55ff66
Revises: bb22cc33dd44, cc33dd44ee55
Create Date: 2022-02-03 00:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

revision = 'dd44ee55ff66'
down_revision = ('bb22cc33dd44', 'cc33dd44ee55')
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
