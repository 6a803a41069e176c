# migsafe-test: rules=default,backfill-in-transaction,multiple-strong-locks,missing-lock-timeout,bare-commit
"""drop fk from comments to posts

Revision ID: 6d660ef148b7
Revises: 9e7704ce4d12
Create Date: 2024-03-05 11:22:33.000000

"""
from alembic import op
import sqlalchemy as sa

revision = '6d660ef148b7'
down_revision = '9e7704ce4d12'
branch_labels = None
depends_on = None


def upgrade():
    op.drop_constraint('fk_comments_post_id', 'comments', type_='foreignkey')  # expect: missing-lock-timeout


def downgrade():
    pass
