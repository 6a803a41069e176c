"""create tickets

Revision ID: 5e1d0c9b8a76
Revises:
Create Date: 2023-03-03 08:30:00.000000

"""
from alembic import op
import sqlalchemy as sa

revision = '5e1d0c9b8a76'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'tickets',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('subject', sa.String(length=200), nullable=False),
        sa.Column('priority', sa.String(length=10), nullable=True),
    )


def downgrade():
    op.drop_table('tickets')
