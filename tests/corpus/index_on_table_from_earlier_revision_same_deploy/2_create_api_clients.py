"""create api_clients

Revision ID: f3a4b5c6d7e0
Revises: e2f3a4b5c6d9
Create Date: 2023-01-01 00:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

revision = 'f3a4b5c6d7e0'
down_revision = 'e2f3a4b5c6d9'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'api_clients',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('account_id', sa.Integer(), nullable=False),
        sa.Column('client_id', sa.String(length=64), nullable=False),
    )


def downgrade():
    op.drop_table('api_clients')
