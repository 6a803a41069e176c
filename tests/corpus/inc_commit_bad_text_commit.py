# migsafe-test: rules=default,backfill-in-transaction,multiple-strong-locks,missing-lock-timeout,bare-commit
"""commit via sa.text before enum value

Revision ID: 6e8ad5fabcaa
Revises: b5a2b8d52f95
Create Date: 2024-03-05 11:22:33.000000

"""
from alembic import op
import sqlalchemy as sa

revision = '6e8ad5fabcaa'
down_revision = 'b5a2b8d52f95'
branch_labels = None
depends_on = None


def upgrade():
    conn = op.get_bind()
    conn.execute(sa.text("CREATE TABLE order_holds (id integer PRIMARY KEY)"))
    conn.execute(sa.text("COMMIT"))  # expect: bare-commit
    conn.execute(sa.text("ALTER TYPE order_status ADD VALUE IF NOT EXISTS 'on_hold'"))


def downgrade():
    pass
