"""convert accounts.kind from text to an enum

Revision ID: b4c5d6e7f8a0
Revises: a3b4c5d6e7f9
Create Date: 2024-10-08 09:00:00.000000

"""
from alembic import op

revision = 'b4c5d6e7f8a0'
down_revision = 'a3b4c5d6e7f9'
branch_labels = None
depends_on = None


def upgrade():
    op.execute("CREATE TYPE account_kind AS ENUM ('personal', 'business')")
    op.execute("ALTER TABLE accounts ALTER COLUMN kind TYPE account_kind USING kind::account_kind")  # expect: enum-recreate


def downgrade():
    op.execute("ALTER TABLE accounts ALTER COLUMN kind TYPE text USING kind::text")
    op.execute("DROP TYPE account_kind")
