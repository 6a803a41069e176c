"""analytics copy of events

Revision ID: 1c2d3e4f5a9e
Revises: 0b1c2d3e4f8d
Create Date: 2022-06-01 00:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

revision = '1c2d3e4f5a9e'
down_revision = '0b1c2d3e4f8d'
branch_labels = None
depends_on = None


def upgrade():
    op.execute("CREATE SCHEMA IF NOT EXISTS analytics")
    op.create_table(
        'events',
        sa.Column('id', sa.BigInteger(), primary_key=True),
        sa.Column('name', sa.String(length=100), nullable=False),
        sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
        schema='analytics',
    )
    op.create_index('ix_analytics_events_occurred_at', 'events', ['occurred_at'], schema='analytics')
    op.create_index('ix_events_occurred_at', 'events', ['occurred_at'])  # expect: index-not-concurrent


def downgrade():
    op.drop_index('ix_events_occurred_at', table_name='events')
    op.drop_table('events', schema='analytics')
