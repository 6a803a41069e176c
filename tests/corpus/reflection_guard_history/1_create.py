"""create users

Revision ID: e8f9a0b1c2d5
Revises:
Create Date: 2022-01-01 00:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

revision = 'e8f9a0b1c2d5'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'users',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('email', sa.String(length=255), nullable=False),
        sa.Column('locale', sa.String(length=10), nullable=True),
    )


def downgrade():
    op.drop_table('users')
