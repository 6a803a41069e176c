"""tickets.priority as an integer

Revision ID: 6f2e1d0c9b87
Revises: 5e1d0c9b8a76
Create Date: 2023-04-12 10:05:55.000000

"""
from alembic import op
import sqlalchemy as sa

revision = '6f2e1d0c9b87'
down_revision = '5e1d0c9b8a76'
branch_labels = None
depends_on = None


def upgrade():
    op.drop_column('tickets', 'priority')  # expect: drop-column
    op.add_column('tickets', sa.Column('priority', sa.SmallInteger(), nullable=True))


def downgrade():
    op.drop_column('tickets', 'priority')
    op.add_column('tickets', sa.Column('priority', sa.String(length=10), nullable=True))
