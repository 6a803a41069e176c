# migsafe-test: rules=default,backfill-in-transaction,multiple-strong-locks,missing-lock-timeout,bare-commit
"""backfill account region in a DO block

Revision ID: e6cfbfcc914e
Revises: 54aece17e49a
Create Date: 2024-03-05 11:22:33.000000

"""
from alembic import op
import sqlalchemy as sa

revision = 'e6cfbfcc914e'
down_revision = '54aece17e49a'
branch_labels = None
depends_on = None


def upgrade():
    op.execute(  # expect: backfill-in-transaction
        """
    DO $$
    BEGIN
        UPDATE accounts SET region = 'eu' WHERE country IN ('DE', 'FR', 'NL');
        UPDATE accounts SET region = 'us' WHERE region IS NULL;
    END
    $$;
    """)


def downgrade():
    pass
