"""create reminders

Revision ID: 0d1e2f3a4b6d
Revises:
Create Date: 2022-01-01 00:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

revision = '0d1e2f3a4b6d'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'reminders',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('note', sa.Text(), nullable=False),
        sa.Column('remind_at', sa.DateTime(), nullable=False),
    )


def downgrade():
    op.drop_table('reminders')
