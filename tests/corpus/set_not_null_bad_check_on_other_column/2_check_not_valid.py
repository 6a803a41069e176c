"""addresses.postal_code: NOT NULL check, not valid

Revision ID: 5c6d7e8f9a0e
Revises: 4b5c6d7e8f9e
Create Date: 2019-03-01 00:00:00.000000

"""
from alembic import op

revision = '5c6d7e8f9a0e'
down_revision = '4b5c6d7e8f9e'
branch_labels = None
depends_on = None


def upgrade():
    op.execute(
        "ALTER TABLE addresses ADD CONSTRAINT ck_addresses_postal_code_nn "
        "CHECK (postal_code IS NOT NULL) NOT VALID"
    )


def downgrade():
    op.execute("ALTER TABLE addresses DROP CONSTRAINT ck_addresses_postal_code_nn")
