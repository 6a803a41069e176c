"""rename users to accounts, keep a view for old code

Revision ID: 1a2b3c4d5e9c
Revises: 8d9e0f1a2b5e
Create Date: 2025-06-09 09:00:00.000000

"""
from alembic import op

revision = '1a2b3c4d5e9c'
down_revision = '8d9e0f1a2b5e'
branch_labels = None
depends_on = None


def upgrade():
    op.execute("SET lock_timeout = '5s'")
    op.rename_table('users', 'accounts')
    op.execute("CREATE VIEW users AS SELECT * FROM accounts")


def downgrade():
    op.execute("DROP VIEW users")
    op.rename_table('accounts', 'users')
