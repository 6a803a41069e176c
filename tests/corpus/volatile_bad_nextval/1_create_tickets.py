"""create helpdesk tickets

Revision ID: 4b5c6d7e8f1c
Revises:
Create Date: 2022-01-01 00:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

revision = '4b5c6d7e8f1c'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'helpdesk_tickets',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('subject', sa.String(length=200), nullable=False),
    )


def downgrade():
    op.drop_table('helpdesk_tickets')
