# migsafe-test: rules=default,backfill-in-transaction,multiple-strong-locks,missing-lock-timeout,bare-commit
"""drop fk (both tables locked by one cheap statement)

Revision ID: 255bc9470c6e
Revises: 53cc13136c76
Create Date: 2024-03-05 11:22:33.000000

"""
from alembic import op
import sqlalchemy as sa

revision = '255bc9470c6e'
down_revision = '53cc13136c76'
branch_labels = None
depends_on = None


def upgrade():
    op.execute("SET lock_timeout = '5s'")
    op.drop_constraint('fk_comments_post_id', 'comments', type_='foreignkey')


def downgrade():
    pass
