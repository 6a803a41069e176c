"""create leads

Revision ID: a2b3c4d5e6f9
Revises:
Create Date: 2022-01-01 00:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

revision = 'a2b3c4d5e6f9'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'leads',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('score', sa.Integer(), nullable=True),
    )


def downgrade():
    op.drop_table('leads')
