"""defaults that need no rewrite

Revision ID: d5e6f7a8b9c2
Revises: c4d5e6f7a8b1
Create Date: 2025-02-11 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = 'd5e6f7a8b9c2'
down_revision = 'c4d5e6f7a8b1'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('subscriptions', sa.Column('settings', postgresql.JSONB(), server_default=sa.text("'{}'::jsonb"), nullable=False))
    op.add_column('subscriptions', sa.Column('renews_at', sa.DateTime(timezone=True), server_default=sa.text("now() + interval '30 days'"), nullable=False))
    op.add_column('subscriptions', sa.Column('created_utc', sa.DateTime(), server_default=sa.text("(now() at time zone 'utc')"), nullable=False))
    op.add_column('subscriptions', sa.Column('tags', postgresql.ARRAY(sa.Text()), server_default=sa.text("ARRAY[]::text[]"), nullable=False))


def downgrade():
    pass
