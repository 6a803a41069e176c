"""create vouchers

Revision ID: 1a2b3c4d5e7a
Revises:
Create Date: 2022-01-01 00:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

revision = '1a2b3c4d5e7a'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'vouchers',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('code', sa.String(length=20), nullable=False),
    )


def downgrade():
    op.drop_table('vouchers')
