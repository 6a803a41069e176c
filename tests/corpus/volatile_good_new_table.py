"""create outbox

Revision ID: 0b1c2d3e4f7c
Revises: 9a0b1c2d3e6b
Create Date: 2025-04-28 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = '0b1c2d3e4f7c'
down_revision = '9a0b1c2d3e6b'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'outbox',
        sa.Column('id', postgresql.UUID(), server_default=sa.text('gen_random_uuid()'), nullable=False),
        sa.Column('topic', sa.String(length=100), nullable=False),
        sa.Column('payload', postgresql.JSONB(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.add_column('outbox', sa.Column('enqueued_at', sa.DateTime(timezone=True),
                                      server_default=sa.text('clock_timestamp()'), nullable=False))


def downgrade():
    op.drop_table('outbox')
