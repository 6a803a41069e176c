# migsafe-test: rules=default,backfill-in-transaction,multiple-strong-locks,missing-lock-timeout,bare-commit
"""archive old notifications

Revision ID: 5740081945ce
Revises: 568524a49e47
Create Date: 2024-03-05 11:22:33.000000

"""
from alembic import op
import sqlalchemy as sa

from myapp.retention import CUTOFF

revision = '5740081945ce'
down_revision = '568524a49e47'
branch_labels = None
depends_on = None


def upgrade():
    op.execute(  # expect: backfill-in-transaction
        sa.text("DELETE FROM notifications WHERE created_at < :cutoff").bindparams(cutoff=CUTOFF)
    )


def downgrade():
    pass
