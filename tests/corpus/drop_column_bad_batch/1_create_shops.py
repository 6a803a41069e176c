"""create shops

Revision ID: 5e6f7a8b9c3a
Revises:
Create Date: 2021-01-01 00:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

revision = '5e6f7a8b9c3a'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'shops',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('name', sa.String(length=120), nullable=False),
        sa.Column('myspace_url', sa.String(length=255), nullable=True),
    )


def downgrade():
    op.drop_table('shops')
