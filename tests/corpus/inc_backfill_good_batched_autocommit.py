# migsafe-test: rules=default,backfill-in-transaction,multiple-strong-locks,missing-lock-timeout,bare-commit
"""backfill display_name in batches

Revision ID: 64655ea67991
Revises: 00e78e0a01fc
Create Date: 2024-03-05 11:22:33.000000

"""
from alembic import op
import sqlalchemy as sa

revision = '64655ea67991'
down_revision = '00e78e0a01fc'
branch_labels = None
depends_on = None


def upgrade():
    conn = op.get_bind()
    with op.get_context().autocommit_block():
        while True:
            done = conn.execute(sa.text(
                "UPDATE users SET display_name = first_name || ' ' || last_name WHERE id IN ("
                "  SELECT id FROM users WHERE display_name IS NULL LIMIT 5000 FOR UPDATE SKIP LOCKED)"
            )).rowcount
            if not done:
                break


def downgrade():
    pass
