"""lookup table indexes (small tables)

Revision ID: e9f0a1b2c3d5
Revises: d8e9f0a1b2c4
Create Date: 2024-12-17 09:00:00.000000

"""
from alembic import op

revision = 'e9f0a1b2c3d5'
down_revision = 'd8e9f0a1b2c4'
branch_labels = None
depends_on = None


def upgrade():
    op.execute(  # expect: index-not-concurrent
        """
        -- migsafe: ignore[index-not-concurrent] 250 rows
        CREATE INDEX ix_countries_region ON countries (region);
        CREATE INDEX ix_orders_country ON orders (country_code);
        """
    )


def downgrade():
    pass
