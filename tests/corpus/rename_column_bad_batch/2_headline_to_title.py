"""articles.headline -> title

Revision ID: 5a6b7c8d9e2b
Revises: 4f5a6b7c8d1a
Create Date: 2021-04-01 00:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

revision = '5a6b7c8d9e2b'
down_revision = '4f5a6b7c8d1a'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('articles', schema=None) as batch_op:
        batch_op.alter_column('headline', new_column_name='title', existing_type=sa.String(length=200), existing_nullable=False)  # expect: rename-column


def downgrade():
    with op.batch_alter_table('articles', schema=None) as batch_op:
        batch_op.alter_column('title', new_column_name='headline')
