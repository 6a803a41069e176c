"""accounts.balance never negative

Revision ID: 0f1a2b3c4d6f
Revises: 9e0f1a2b3c5e
Create Date: 2025-02-10 09:00:00.000000

"""
from alembic import op

revision = '0f1a2b3c4d6f'
down_revision = '9e0f1a2b3c5e'
branch_labels = None
depends_on = None


def upgrade():
    op.execute("ALTER TABLE accounts ADD CONSTRAINT ck_accounts_balance CHECK (balance_cents >= 0) NOT VALID")
    with op.get_context().autocommit_block():
        op.execute("ALTER TABLE accounts VALIDATE CONSTRAINT ck_accounts_balance")


def downgrade():
    op.execute("ALTER TABLE accounts DROP CONSTRAINT ck_accounts_balance")
