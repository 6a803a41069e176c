"""addresses.postal_code NOT NULL

Revision ID: 7e8f9a0b1c2f
Revises: 6d7e8f9a0b1f
Create Date: 2019-03-03 00:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

revision = '7e8f9a0b1c2f'
down_revision = '6d7e8f9a0b1f'
branch_labels = None
depends_on = None


def upgrade():
    op.alter_column('addresses', 'postal_code', existing_type=sa.String(length=16), nullable=False)
    op.execute("ALTER TABLE addresses DROP CONSTRAINT ck_addresses_postal_code_nn")


def downgrade():
    op.alter_column('addresses', 'postal_code', existing_type=sa.String(length=16), nullable=True)
