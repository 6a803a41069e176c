"""products get a weight

Revision ID: 6d7e8f9a0b2d
Revises: 5c6d7e8f9a1c
Create Date: 2025-01-13 09:00:00.000000

"""
from alembic import op

revision = '6d7e8f9a0b2d'
down_revision = '5c6d7e8f9a1c'
branch_labels = None
depends_on = None


def upgrade():
    op.execute("ALTER TABLE products ADD COLUMN weight_grams integer CHECK (weight_grams >= 0)")  # expect: constraint-without-not-valid


def downgrade():
    op.execute("ALTER TABLE products DROP COLUMN weight_grams")
