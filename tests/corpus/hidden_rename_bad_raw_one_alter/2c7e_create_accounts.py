"""create accounts

Revision ID: 2c7e91b04d3a
Revises:
Create Date: 2022-10-03 11:20:00.000000

"""
from alembic import op

revision = '2c7e91b04d3a'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.execute("""
        CREATE TABLE accounts (
            id          bigserial PRIMARY KEY,
            login       varchar(64) NOT NULL UNIQUE,
            nickname    varchar(40),
            created_at  timestamptz NOT NULL DEFAULT now()
        )
    """)


def downgrade():
    op.execute("DROP TABLE accounts")
