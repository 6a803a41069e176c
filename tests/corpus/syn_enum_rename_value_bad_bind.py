# migsafe-test: rules=enum-rename-value
"""rename via bind

Revision ID: 907e325e1ea5
Revises: efa212b5817e
Create Date: 2024-03-05 11:22:33.000000

"""
from alembic import op
import sqlalchemy as sa

revision = '907e325e1ea5'
down_revision = 'efa212b5817e'
branch_labels = None
depends_on = None


def upgrade():
    conn = op.get_bind()
    conn.execute(sa.text("ALTER TYPE public.order_status RENAME VALUE 'canceled' TO 'cancelled'"))  # expect: enum-rename-value


def downgrade():
    pass
