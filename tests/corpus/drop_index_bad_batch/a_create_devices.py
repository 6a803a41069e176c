"""create devices

Revision ID: a2b3c4d5e6f7
Revises:
Create Date: 2021-01-01 00:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

revision = 'a2b3c4d5e6f7'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'devices',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('serial', sa.String(length=40), nullable=False),
        sa.Column('owner_id', sa.Integer(), nullable=True),
    )
    op.create_index('ix_devices_owner_id', 'devices', ['owner_id'])


def downgrade():
    op.drop_table('devices')
