"""create members

Revision ID: b9c0d1e2f3a6
Revises:
Create Date: 2022-01-01 00:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

revision = 'b9c0d1e2f3a6'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('members', sa.Column('id', sa.Integer(), primary_key=True),
                    sa.Column('email', sa.String(length=255), nullable=False))


def downgrade():
    op.drop_table('members')
