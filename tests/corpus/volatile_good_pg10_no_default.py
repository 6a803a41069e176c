# migsafe-test: pg-version=10
"""add nullable columns to members

Revision ID: 1c2d3e4f5a8d
Revises: 0b1c2d3e4f7c
Create Date: 2018-12-03 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

revision = '1c2d3e4f5a8d'
down_revision = '0b1c2d3e4f7c'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('members', sa.Column('nickname', sa.String(length=40), nullable=True))
    op.execute("ALTER TABLE members ADD COLUMN last_seen_at timestamp DEFAULT NULL")
    op.alter_column('members', 'nickname', server_default='')


def downgrade():
    op.execute("ALTER TABLE members DROP COLUMN last_seen_at")
    op.drop_column('members', 'nickname')
