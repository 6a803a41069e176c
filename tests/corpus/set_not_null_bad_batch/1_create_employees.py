"""create employees

Revision ID: 2f3a4b5c6d7f
Revises:
Create Date: 2020-01-01 00:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

revision = '2f3a4b5c6d7f'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'employees',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('name', sa.String(length=120), nullable=False),
        sa.Column('manager_id', sa.Integer(), nullable=True),
        sa.Column('hired_on', sa.Date(), nullable=True),
    )


def downgrade():
    op.drop_table('employees')
