"""new subscriptions start as trialing

Revision ID: 4b6d8f0a2c3e
Revises: 3a5c7e9b1d2f
Create Date: 2023-05-22 14:31:19.000000

"""
from alembic import op
import sqlalchemy as sa

revision = '4b6d8f0a2c3e'
down_revision = '3a5c7e9b1d2f'
branch_labels = None
depends_on = None


def upgrade():
    op.execute("ALTER TYPE subscription_status ADD VALUE 'trialing' BEFORE 'active'")  # expect: enum-add-value-in-transaction
    op.alter_column(
        'subscriptions',
        'status',
        server_default='trialing',
        existing_nullable=False,
    )


def downgrade():
    op.alter_column('subscriptions', 'status', server_default='active', existing_nullable=False)
