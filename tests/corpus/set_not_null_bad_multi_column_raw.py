"""shipping address fields are required

Revision ID: b0c1d2e3f4a6
Revises: a9b0c1d2e3f5
Create Date: 2024-11-05 09:00:00.000000

"""
from alembic import op

revision = 'b0c1d2e3f4a6'
down_revision = 'a9b0c1d2e3f5'
branch_labels = None
depends_on = None


def upgrade():
    op.execute(  # expect: set-not-null
        "ALTER TABLE shipping_addresses "
        "ALTER COLUMN line1 SET NOT NULL, "
        "ALTER COLUMN city SET NOT NULL, "
        "ALTER COLUMN postal_code SET NOT NULL"
    )


def downgrade():
    pass
