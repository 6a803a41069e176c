"""users.email unique, built concurrently

Revision ID: 8b9c0d1e2f5c
Revises: 3c4d5e6f7a0d
Create Date: 2025-03-10 09:00:00.000000

"""
from alembic import op

revision = '8b9c0d1e2f5c'
down_revision = '3c4d5e6f7a0d'
branch_labels = None
depends_on = None


def upgrade():
    with op.get_context().autocommit_block():
        op.create_index('uq_users_email', 'users', ['email'], unique=True, postgresql_concurrently=True)
    op.execute("SET lock_timeout = '5s'")
    op.execute("ALTER TABLE users ADD CONSTRAINT uq_users_email UNIQUE USING INDEX uq_users_email")


def downgrade():
    op.drop_constraint('uq_users_email', 'users', type_='unique')
