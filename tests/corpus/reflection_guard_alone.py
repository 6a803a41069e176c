"""add users.locale if a hotfix did not already add it

Revision ID: d7e8f9a0b1c4
Revises: c6d7e8f9a0b3
Create Date: 2025-03-25 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

revision = 'd7e8f9a0b1c4'
down_revision = 'c6d7e8f9a0b3'
branch_labels = None
depends_on = None


def upgrade():
    inspector = sa.inspect(op.get_bind())
    columns = {c['name'] for c in inspector.get_columns('users')}
    if 'locale' not in columns:
        op.add_column('users', sa.Column('locale', sa.String(length=10), nullable=True))
    indexes = {i['name'] for i in inspector.get_indexes('users')}
    if 'ix_users_locale' not in indexes:
        op.create_index('ix_users_locale', 'users', ['locale'])  # expect: index-not-concurrent


def downgrade():
    pass
