# migsafe-test: rules=enum-rename-value
"""rename value of type created here

Revision ID: 5920f19e8f01
Revises: c2e649783aa5
Create Date: 2024-03-05 11:22:33.000000

"""
from alembic import op
import sqlalchemy as sa

revision = '5920f19e8f01'
down_revision = 'c2e649783aa5'
branch_labels = None
depends_on = None


def upgrade():
    op.execute("CREATE TYPE shipment_state AS ENUM ('new', 'sent')")
    op.execute("ALTER TYPE shipment_state RENAME VALUE 'sent' TO 'shipped'")


def downgrade():
    pass
