"""members belong to a team

Revision ID: 8f9a0b1c2d4f
Revises: 7e8f9a0b1c3e
Create Date: 2022-05-01 00:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

revision = '8f9a0b1c2d4f'
down_revision = '7e8f9a0b1c3e'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('members', sa.Column('team_id', sa.Integer(), sa.ForeignKey('teams.id', name='fk_members_team_id'), nullable=True))  # expect: constraint-without-not-valid


def downgrade():
    op.drop_column('members', 'team_id')
