"""tag names are unique

Revision ID: 7a8b9c0d1e4b
Revises: 6f7a8b9c0d3a
Create Date: 2021-02-01 00:00:00.000000

"""
from alembic import op

revision = '7a8b9c0d1e4b'
down_revision = '6f7a8b9c0d3a'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('tags', schema=None) as batch_op:
        batch_op.create_unique_constraint(batch_op.f('uq_tags_name'), ['name'])  # expect: unique-constraint-builds-index


def downgrade():
    with op.batch_alter_table('tags', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_tags_name'), type_='unique')
