# migsafe-test: rules=default,backfill-in-transaction,multiple-strong-locks,missing-lock-timeout,bare-commit
"""replace fk and index the column

Revision ID: fcb2e996852c
Revises: 72b2db10c481
Create Date: 2024-03-05 11:22:33.000000

"""
from alembic import op
import sqlalchemy as sa

revision = 'fcb2e996852c'
down_revision = '72b2db10c481'
branch_labels = None
depends_on = None


def upgrade():
    op.execute("SET lock_timeout = '5s'")
    op.drop_constraint('fk_comments_post_id', 'comments', type_='foreignkey')
    op.create_index('ix_comments_post_id', 'comments', ['post_id'])  # expect: index-not-concurrent, multiple-strong-locks


def downgrade():
    pass
