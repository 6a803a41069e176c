# migsafe-test: rules=add-column-rewrites,volatile-default
"""new table with identity

Revision ID: 261a26c08e37
Revises: 11a66e2d97af
Create Date: 2024-03-05 11:22:33.000000

"""
from alembic import op
import sqlalchemy as sa

revision = '261a26c08e37'
down_revision = '11a66e2d97af'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('exports', sa.Column('id', sa.BigInteger(), sa.Identity(), primary_key=True))
    op.add_column('exports', sa.Column('seq', sa.Integer(), sa.Identity()))
    op.add_column('exports', sa.Column('slug', sa.Text(), sa.Computed("lower(id::text)", persisted=True)))


def downgrade():
    pass
