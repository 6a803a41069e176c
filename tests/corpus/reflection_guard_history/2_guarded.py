"""add users.locale / users.timezone unless present

Revision ID: f9a0b1c2d3e6
Revises: e8f9a0b1c2d5
Create Date: 2022-06-01 00:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

revision = 'f9a0b1c2d3e6'
down_revision = 'e8f9a0b1c2d5'
branch_labels = None
depends_on = None


def upgrade():
    inspector = sa.inspect(op.get_bind())
    columns = {c['name'] for c in inspector.get_columns('users')}
    if 'locale' not in columns:
        op.add_column('users', sa.Column('locale', sa.String(length=10), nullable=False))
    if 'timezone' not in columns:
        op.add_column('users', sa.Column('timezone', sa.String(length=64), nullable=False))  # expect: not-null-without-default
    if not inspector.has_table('user_settings'):
        op.create_table('user_settings', sa.Column('user_id', sa.Integer(), primary_key=True))


def downgrade():
    pass
