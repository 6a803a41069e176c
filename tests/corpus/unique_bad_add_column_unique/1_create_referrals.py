"""create partners

Revision ID: 4d5e6f7a8b1e
Revises:
Create Date: 2022-01-01 00:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

revision = '4d5e6f7a8b1e'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'partners',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('name', sa.String(length=120), nullable=False),
    )


def downgrade():
    op.drop_table('partners')
