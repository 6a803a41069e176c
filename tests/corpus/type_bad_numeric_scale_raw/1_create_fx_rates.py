"""create fx_rates

Revision ID: 9e0f1a2b3c4e
Revises:
Create Date: 2022-01-01 00:00:00.000000

"""
from alembic import op

revision = '9e0f1a2b3c4e'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.execute("""
        CREATE TABLE fx_rates (
            id          serial PRIMARY KEY,
            base        char(3) NOT NULL,
            quote       char(3) NOT NULL,
            rate        numeric(10, 2) NOT NULL,
            spread      numeric(10, 4),
            observed_at timestamptz NOT NULL
        )
    """)


def downgrade():
    op.execute("DROP TABLE fx_rates")
