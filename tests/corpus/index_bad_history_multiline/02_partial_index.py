"""partial index for live messages

Revision ID: 02a3b4c5d6e7
Revises: 01f2e3d4c5b6
Create Date: 2022-04-01 00:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

revision = '02a3b4c5d6e7'
down_revision = '01f2e3d4c5b6'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(  # expect: index-not-concurrent
        'ix_messages_live_by_conversation',
        'messages',
        ['conversation_id', sa.text('sent_at DESC')],
        unique=False,
        postgresql_where=sa.text('deleted_at IS NULL'),
    )


def downgrade():
    op.drop_index('ix_messages_live_by_conversation', table_name='messages')
