"""create accounts

Revision ID: e2f3a4b5c6d9
Revises:
Create Date: 2022-01-01 00:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

revision = 'e2f3a4b5c6d9'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('accounts', sa.Column('id', sa.Integer(), primary_key=True))


def downgrade():
    op.drop_table('accounts')
