# migsafe-test: rules=default,backfill-in-transaction,multiple-strong-locks,missing-lock-timeout,bare-commit
"""split full name into parts

Revision ID: edc977511060
Revises: 727e7e06e284
Create Date: 2024-03-05 11:22:33.000000

"""
from alembic import op
import sqlalchemy as sa

revision = 'edc977511060'
down_revision = '727e7e06e284'
branch_labels = None
depends_on = None


def upgrade():
    conn = op.get_bind()
    rows = conn.execute(sa.text("SELECT id, full_name FROM customers")).fetchall()  # expect: backfill-in-transaction
    for row in rows:
        first, _, last = row.full_name.partition(' ')
        conn.execute(
            sa.text("UPDATE customers SET first_name = :f, last_name = :l WHERE id = :id"),
            {"f": first, "l": last, "id": row.id},
        )


def downgrade():
    pass
