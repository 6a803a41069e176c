"""create users and user_profiles

Revision ID: 11aa22bb33cc
Revises:
Create Date: 2022-02-02 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

revision = '11aa22bb33cc'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'users',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('email', sa.String(length=255), nullable=False),
        sa.Column('avatar_url', sa.String(length=500), nullable=True),
    )
    op.create_table(
        'user_profiles',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('user_id', sa.Integer(), sa.ForeignKey('users.id'), nullable=False),
        sa.Column('bio', sa.Text(), nullable=True),
    )


def downgrade():
    op.drop_table('user_profiles')
    op.drop_table('users')
