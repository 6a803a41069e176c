"""drop devices owner index

Revision ID: b3c4d5e6f7a8
Revises: a2b3c4d5e6f7
Create Date: 2021-09-01 00:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

revision = 'b3c4d5e6f7a8'
down_revision = 'a2b3c4d5e6f7'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('devices') as batch_op:
        batch_op.drop_index('ix_devices_owner_id')  # expect: drop-index-not-concurrent


def downgrade():
    with op.batch_alter_table('devices') as batch_op:
        batch_op.create_index('ix_devices_owner_id', ['owner_id'])
