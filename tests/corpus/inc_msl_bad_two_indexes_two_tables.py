# migsafe-test: rules=default,backfill-in-transaction,multiple-strong-locks,missing-lock-timeout,bare-commit
"""index foreign keys

Revision ID: a8c13efb4964
Revises: 138a91744b7d
Create Date: 2024-03-05 11:22:33.000000

"""
from alembic import op
import sqlalchemy as sa

revision = 'a8c13efb4964'
down_revision = '138a91744b7d'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(op.f('ix_comments_post_id'), 'comments', ['post_id'], unique=False)  # expect: index-not-concurrent
    op.create_index(op.f('ix_likes_post_id'), 'likes', ['post_id'], unique=False)  # expect: index-not-concurrent, multiple-strong-locks


def downgrade():
    pass
