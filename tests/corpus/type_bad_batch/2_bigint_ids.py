"""page_views.id is running out

Revision ID: 4d5e6f7a8b0d
Revises: 3c4d5e6f7a9c
Create Date: 2023-12-01 00:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

revision = '4d5e6f7a8b0d'
down_revision = '3c4d5e6f7a9c'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('page_views', schema=None) as batch_op:
        batch_op.alter_column('id', existing_type=sa.Integer(), type_=sa.BigInteger())  # expect: column-type-rewrite


def downgrade():
    with op.batch_alter_table('page_views', schema=None) as batch_op:
        batch_op.alter_column('id', existing_type=sa.BigInteger(), type_=sa.Integer())
