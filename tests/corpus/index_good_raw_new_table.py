"""create rate_limit_buckets

Revision ID: 3b4c5d6e7f80
Revises: 2a3b4c5d6e70
Create Date: 2024-04-16 10:00:00.000000

"""
from alembic import op

revision = '3b4c5d6e7f80'
down_revision = '2a3b4c5d6e70'
branch_labels = None
depends_on = None


def upgrade():
    op.execute("""
        CREATE TABLE rate_limit_buckets (
            key         text        NOT NULL,
            window_start timestamptz NOT NULL,
            hits        integer     NOT NULL DEFAULT 0,
            PRIMARY KEY (key, window_start)
        );
        CREATE INDEX ix_rate_limit_buckets_window_start ON rate_limit_buckets (window_start);
    """)


def downgrade():
    op.execute("DROP TABLE rate_limit_buckets")
