"""create shipments

Revision ID: 1b2c3d4e5f60
Revises:
Create Date: 2022-01-01 00:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

revision = '1b2c3d4e5f60'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.execute("CREATE TYPE shipment_state AS ENUM ('created', 'in_transit', 'delivered')")
    op.execute("""
        CREATE TABLE shipments (
            id bigserial PRIMARY KEY,
            state shipment_state NOT NULL DEFAULT 'created'
        )
    """)


def downgrade():
    op.execute("DROP TABLE shipments")
    op.execute("DROP TYPE shipment_state")
