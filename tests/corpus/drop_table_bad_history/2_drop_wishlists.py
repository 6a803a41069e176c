"""wishlists were never launched

Revision ID: 2f3a4b5c6d0b
Revises: 1e2f3a4b5c9a
Create Date: 2022-01-01 00:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

revision = '2f3a4b5c6d0b'
down_revision = '1e2f3a4b5c9a'
branch_labels = None
depends_on = None


def upgrade():
    op.drop_table('wishlists')  # expect: drop-table


def downgrade():
    op.create_table(
        'wishlists',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('user_id', sa.Integer(), nullable=False),
    )
