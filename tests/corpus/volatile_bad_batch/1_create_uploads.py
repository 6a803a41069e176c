"""create uploads

Revision ID: 6d7e8f9a0b3e
Revises:
Create Date: 2021-01-01 00:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

revision = '6d7e8f9a0b3e'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'uploads',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('filename', sa.String(length=255), nullable=False),
    )


def downgrade():
    op.drop_table('uploads')
