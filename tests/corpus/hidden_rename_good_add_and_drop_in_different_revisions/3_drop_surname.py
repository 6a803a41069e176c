"""contract: drop people.surname

Revision ID: e1f2a3b4c5d7
Revises: d0e1f2a3b4c6
Create Date: 2022-05-01 00:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

revision = 'e1f2a3b4c5d7'
down_revision = 'd0e1f2a3b4c6'
branch_labels = None
depends_on = None


def upgrade():
    op.drop_column('people', 'surname')  # expect: drop-column


def downgrade():
    op.add_column('people', sa.Column('surname', sa.String(length=80), nullable=True))
