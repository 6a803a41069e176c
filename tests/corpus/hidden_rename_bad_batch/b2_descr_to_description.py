"""products.descr -> description

Revision ID: b2e4d6f8a0c1
Revises: a1f0c3e5b7d9
Create Date: 2021-08-11 17:02:33.000000

"""
from alembic import op
import sqlalchemy as sa

revision = 'b2e4d6f8a0c1'
down_revision = 'a1f0c3e5b7d9'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('products', schema=None) as batch_op:
        batch_op.add_column(sa.Column('description', sa.Text(), nullable=True))
        batch_op.drop_column('descr')  # expect: hidden-rename


def downgrade():
    with op.batch_alter_table('products', schema=None) as batch_op:
        batch_op.add_column(sa.Column('descr', sa.TEXT(), autoincrement=False, nullable=True))
        batch_op.drop_column('description')
