# migsafe-test: rules=default,backfill-in-transaction,multiple-strong-locks,missing-lock-timeout,bare-commit
"""commit between batches

Revision ID: 5760cd5a18a5
Revises: 5cec4ca34f8d
Create Date: 2024-03-05 11:22:33.000000

"""
from alembic import op
import sqlalchemy as sa

revision = '5760cd5a18a5'
down_revision = '5cec4ca34f8d'
branch_labels = None
depends_on = None


def upgrade():
    op.execute("UPDATE events SET processed = true WHERE processed IS NULL")  # expect: backfill-in-transaction
    op.get_bind().commit()  # expect: bare-commit


def downgrade():
    pass
