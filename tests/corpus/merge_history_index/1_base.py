"""base

Revision ID: aa11bb22cc33
Revises:
Create Date: 2022-01-01 00:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

revision = 'aa11bb22cc33'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('organizations', sa.Column('id', sa.Integer(), primary_key=True),
                    sa.Column('name', sa.String(length=100), nullable=False))


def downgrade():
    op.drop_table('organizations')
