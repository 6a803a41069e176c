"""create notifications

Revision ID: d6e7f8091a2b
Revises: c5d6e7f8091a
Create Date: 2024-07-08 10:10:10.000000

"""
from alembic import op
import sqlalchemy as sa

revision = 'd6e7f8091a2b'
down_revision = 'c5d6e7f8091a'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'notifications',
        sa.Column('id', sa.BigInteger(), primary_key=True),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('read_at', sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index('ix_notifications_user_id', 'notifications', ['user_id'], postgresql_concurrently=True)  # expect: concurrent-index-in-transaction


def downgrade():
    op.drop_table('notifications')
