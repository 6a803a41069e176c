"""add region to stores and backfill it

Revision ID: 8b9c0d1e2f3b
Revises: 7a8b9c0d1e2a
Create Date: 2024-09-09 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

revision = '8b9c0d1e2f3b'
down_revision = '7a8b9c0d1e2a'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('stores', sa.Column('region', sa.String(length=16), nullable=True))
    conn = op.get_bind()
    conn.execute(sa.text("UPDATE stores SET region = 'eu' WHERE country_code IN ('DE', 'FR', 'NL')"))
    conn.execute(sa.text("UPDATE stores SET region = 'us' WHERE country_code = 'US'"))


def downgrade():
    op.drop_column('stores', 'region')
