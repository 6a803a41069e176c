"""drop two unused indexes on sessions

Revision ID: 3d4e5f6a7b8d
Revises: 2c3d4e5f6a7c
Create Date: 2025-01-14 09:00:00.000000

"""
from alembic import op

revision = '3d4e5f6a7b8d'
down_revision = '2c3d4e5f6a7c'
branch_labels = None
depends_on = None


def upgrade():
    op.execute("DROP INDEX ix_sessions_ip, ix_sessions_user_agent")  # expect: drop-index-not-concurrent
    op.drop_constraint('fk_sessions_device_id', 'sessions', type_='foreignkey')
    op.drop_constraint('ck_sessions_expiry', 'sessions', type_='check')


def downgrade():
    pass
