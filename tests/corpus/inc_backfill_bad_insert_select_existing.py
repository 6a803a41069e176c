# migsafe-test: rules=default,backfill-in-transaction,multiple-strong-locks,missing-lock-timeout,bare-commit
"""copy legacy notes into comments

Revision ID: a48093500068
Revises: 4846cf94ce97
Create Date: 2024-03-05 11:22:33.000000

"""
from alembic import op
import sqlalchemy as sa

revision = 'a48093500068'
down_revision = '4846cf94ce97'
branch_labels = None
depends_on = None


def upgrade():
    op.execute(  # expect: backfill-in-transaction
        """
        INSERT INTO comments (ticket_id, author_id, body, created_at)
        SELECT id, reporter_id, legacy_notes, created_at FROM tickets WHERE legacy_notes IS NOT NULL
        """
    )
    op.drop_column('tickets', 'legacy_notes')  # expect: drop-column, missing-lock-timeout


def downgrade():
    pass
