"""rooms.capacity is positive

Revision ID: 3e4f5a6b7c9e
Revises: 2d3e4f5a6b8d
Create Date: 2021-03-01 00:00:00.000000

"""
from alembic import op

revision = '3e4f5a6b7c9e'
down_revision = '2d3e4f5a6b8d'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('rooms') as batch_op:
        batch_op.create_check_constraint('ck_rooms_capacity_positive', 'capacity > 0')  # expect: constraint-without-not-valid


def downgrade():
    with op.batch_alter_table('rooms') as batch_op:
        batch_op.drop_constraint('ck_rooms_capacity_positive', type_='check')
