"""create listings and listing_revisions

Revision ID: 7c8d9e0f1a2b
Revises:
Create Date: 2022-04-04 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = '7c8d9e0f1a2b'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    visibility = postgresql.ENUM('public', 'unlisted', 'private', 'hidden', name='visibility')
    visibility.create(op.get_bind())
    op.create_table(
        'listings',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('visibility', postgresql.ENUM(name='visibility', create_type=False), nullable=False),
    )
    op.create_table(
        'listing_revisions',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('listing_id', sa.Integer(), sa.ForeignKey('listings.id'), nullable=False),
        sa.Column('visibility', postgresql.ENUM(name='visibility', create_type=False), nullable=False),
    )


def downgrade():
    op.drop_table('listing_revisions')
    op.drop_table('listings')
    op.execute('DROP TYPE visibility')
