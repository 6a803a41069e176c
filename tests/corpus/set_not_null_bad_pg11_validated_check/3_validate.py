"""validate the postal_code check

Revision ID: 6d7e8f9a0b1d
Revises: 5c6d7e8f9a0c
Create Date: 2019-03-02 00:00:00.000000

"""
from alembic import op

revision = '6d7e8f9a0b1d'
down_revision = '5c6d7e8f9a0c'
branch_labels = None
depends_on = None


def upgrade():
    op.execute("ALTER TABLE addresses VALIDATE CONSTRAINT ck_addresses_postal_code_nn")


def downgrade():
    pass
