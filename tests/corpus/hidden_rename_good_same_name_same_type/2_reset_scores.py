"""reset lead scores (new scoring model)

Revision ID: b3c4d5e6f7a0
Revises: a2b3c4d5e6f9
Create Date: 2022-10-01 00:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

revision = 'b3c4d5e6f7a0'
down_revision = 'a2b3c4d5e6f9'
branch_labels = None
depends_on = None


def upgrade():
    op.drop_column('leads', 'score')  # expect: drop-column
    op.add_column('leads', sa.Column('score', sa.Integer(), nullable=True))


def downgrade():
    pass
