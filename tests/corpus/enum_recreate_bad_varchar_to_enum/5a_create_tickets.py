"""create support tickets

Revision ID: 5a6b7c8d9e0f
Revises:
Create Date: 2021-03-01 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

revision = '5a6b7c8d9e0f'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'support_tickets',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('subject', sa.String(length=200), nullable=False),
        sa.Column('priority', sa.String(length=20), nullable=False, server_default='normal'),
    )


def downgrade():
    op.drop_table('support_tickets')
