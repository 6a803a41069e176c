# migsafe-test: pg-version=11, transaction-per-migration=false
"""create notification channel type

Revision ID: c3a5e7f9b1d2
Revises:
Create Date: 2021-01-05 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

revision = 'c3a5e7f9b1d2'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.execute("CREATE TYPE notification_channel AS ENUM ('email', 'sms')")
    op.create_table(
        'notifications',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('channel', sa.Text(), nullable=False),
    )


def downgrade():
    op.drop_table('notifications')
    op.execute("DROP TYPE notification_channel")
