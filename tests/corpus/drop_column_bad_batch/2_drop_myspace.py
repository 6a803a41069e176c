"""drop shops.myspace_url

Revision ID: 6f7a8b9c0d4b
Revises: 5e6f7a8b9c3a
Create Date: 2021-11-01 00:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

revision = '6f7a8b9c0d4b'
down_revision = '5e6f7a8b9c3a'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('shops', schema=None) as batch_op:
        batch_op.drop_column('myspace_url')  # expect: drop-column


def downgrade():
    with op.batch_alter_table('shops', schema=None) as batch_op:
        batch_op.add_column(sa.Column('myspace_url', sa.VARCHAR(length=255), nullable=True))
