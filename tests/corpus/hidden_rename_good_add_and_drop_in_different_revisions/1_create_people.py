"""create people

Revision ID: c9d0e1f2a3b5
Revises:
Create Date: 2022-01-01 00:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

revision = 'c9d0e1f2a3b5'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'people',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('surname', sa.String(length=80), nullable=True),
    )


def downgrade():
    op.drop_table('people')
