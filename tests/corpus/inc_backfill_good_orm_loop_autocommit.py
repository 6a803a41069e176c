# migsafe-test: rules=default,backfill-in-transaction,multiple-strong-locks,missing-lock-timeout,bare-commit
"""lowercase emails outside the migration transaction

Revision ID: c28b99d90b05
Revises: 36f8618e9d95
Create Date: 2024-03-05 11:22:33.000000

"""
from alembic import op
import sqlalchemy as sa

from app.lib.email import normalize_email

revision = 'c28b99d90b05'
down_revision = '36f8618e9d95'
branch_labels = None
depends_on = None


def upgrade():
    conn = op.get_bind()
    with op.get_context().autocommit_block():
        last_id = 0
        while True:
            rows = conn.execute(
                sa.text("SELECT id, email FROM users WHERE id > :last ORDER BY id LIMIT 1000"), {"last": last_id}
            ).fetchall()
            if not rows:
                break
            for row in rows:
                conn.execute(sa.text("UPDATE users SET email = :e WHERE id = :id"),
                             {"e": normalize_email(row.email), "id": row.id})
            last_id = rows[-1].id


def downgrade():
    pass
