"""addresses.postal_code and city NOT NULL

Revision ID: 7e8f9a0b1c2d
Revises: 6d7e8f9a0b1e
Create Date: 2019-03-03 00:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

revision = '7e8f9a0b1c2d'
down_revision = '6d7e8f9a0b1e'
branch_labels = None
depends_on = None


def upgrade():
    op.alter_column('addresses', 'postal_code', existing_type=sa.String(length=16), nullable=False)
    # the validated check only covers postal_code
    op.alter_column('addresses', 'city', existing_type=sa.String(length=80), nullable=False)  # expect: set-not-null
    op.execute("ALTER TABLE addresses DROP CONSTRAINT ck_addresses_postal_code_nn")


def downgrade():
    pass
