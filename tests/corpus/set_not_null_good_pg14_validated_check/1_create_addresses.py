# migsafe-test: pg-version=14
"""create addresses

Revision ID: 4b5c6d7e8f9f
Revises:
Create Date: 2019-01-01 00:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

revision = '4b5c6d7e8f9f'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'addresses',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('postal_code', sa.String(length=16), nullable=True),
    )


def downgrade():
    op.drop_table('addresses')
