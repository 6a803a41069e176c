"""index small lookup tables

Revision ID: 8f9a0b1c2d6b
Revises: 7e8f9a0b1c5a
Create Date: 2025-09-08 09:00:00.000000

"""
# migsafe: ignore-file[index-not-concurrent] lookup tables with < 300 rows
from alembic import op

revision = '8f9a0b1c2d6b'
down_revision = '7e8f9a0b1c5a'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_countries_iso2', 'countries', ['iso2'], unique=True)
    op.create_index('ix_currencies_code', 'currencies', ['code'], unique=True)
    op.drop_column('countries', 'legacy_name')  # expect: drop-column


def downgrade():
    pass
