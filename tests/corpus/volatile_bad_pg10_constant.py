# migsafe-test: pg-version=10
"""add loyalty points

Revision ID: 3a4b5c6d7e0b
Revises: 2f3a4b5c6d9a
Create Date: 2018-11-05 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

revision = '3a4b5c6d7e0b'
down_revision = '2f3a4b5c6d9a'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('members', sa.Column('loyalty_points', sa.Integer(), server_default='0', nullable=False))  # expect: volatile-default
    op.add_column('members', sa.Column('referrer_id', sa.Integer(), nullable=True))


def downgrade():
    op.drop_column('members', 'referrer_id')
    op.drop_column('members', 'loyalty_points')
