"""create links and hosts

Revision ID: 7a8b9c0d1e3a
Revises:
Create Date: 2021-01-01 00:00:00.000000

"""
from alembic import op

revision = '7a8b9c0d1e3a'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.execute("""
        CREATE TABLE links (
            id      bigserial PRIMARY KEY,
            url     varchar(255) NOT NULL,
            title   varchar(120)
        );
        CREATE TABLE hosts (
            id      serial PRIMARY KEY,
            network cidr NOT NULL
        );
    """)


def downgrade():
    op.execute("DROP TABLE hosts; DROP TABLE links")
