"""unique index on users.username

Revision ID: f8a9b0c1d2e4
Revises: e7f8a9b0c1d3
Create Date: 2024-10-22 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

revision = 'f8a9b0c1d2e4'
down_revision = 'e7f8a9b0c1d3'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('uq_users_username_ci', 'users', [sa.text('lower(username)')], unique=True)  # expect: index-not-concurrent


def downgrade():
    op.drop_index('uq_users_username_ci', table_name='users')
