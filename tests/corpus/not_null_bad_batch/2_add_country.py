"""warehouses need a country and a timezone

Revision ID: 4d5e6f7a8b9d
Revises: 3c4d5e6f7a8c
Create Date: 2021-05-01 00:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

revision = '4d5e6f7a8b9d'
down_revision = '3c4d5e6f7a8c'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('warehouses', schema=None) as batch_op:
        batch_op.add_column(sa.Column('country_code', sa.String(length=2), nullable=False))  # expect: not-null-without-default
        batch_op.add_column(sa.Column('timezone', sa.String(length=64), nullable=False, server_default='UTC'))


def downgrade():
    with op.batch_alter_table('warehouses', schema=None) as batch_op:
        batch_op.drop_column('timezone')
        batch_op.drop_column('country_code')
