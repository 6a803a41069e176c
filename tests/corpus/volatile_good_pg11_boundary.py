# migsafe-test: pg-version=11
"""members.tier with a constant default

Revision ID: f4a5b6c7d8e0
Revises: e3f4a5b6c7d9
Create Date: 2019-06-03 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

revision = 'f4a5b6c7d8e0'
down_revision = 'e3f4a5b6c7d9'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('members', sa.Column('tier', sa.String(length=10), server_default='basic', nullable=False))
    op.add_column('members', sa.Column('joined_at', sa.DateTime(), server_default=sa.text('now()'), nullable=False))


def downgrade():
    op.drop_column('members', 'joined_at')
    op.drop_column('members', 'tier')
