"""create subscriptions

Revision ID: 3a5c7e9b1d2f
Revises:
Create Date: 2023-02-14 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

revision = '3a5c7e9b1d2f'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'subscriptions',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('account_id', sa.Integer(), nullable=False),
        sa.Column('status', sa.Enum('active', 'past_due', 'canceled', name='subscription_status'),
                  nullable=False, server_default='active'),
    )


def downgrade():
    op.drop_table('subscriptions')
    sa.Enum(name='subscription_status').drop(op.get_bind(), checkfirst=False)
