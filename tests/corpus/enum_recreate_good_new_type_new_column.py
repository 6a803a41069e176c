"""add risk level to merchants

Revision ID: 4d5e6f708192
Revises: 3c4d5e6f7081
Create Date: 2024-04-04 12:12:12.000000

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = '4d5e6f708192'
down_revision = '3c4d5e6f7081'
branch_labels = None
depends_on = None


def upgrade():
    risk_level = postgresql.ENUM('low', 'medium', 'high', name='risk_level')
    risk_level.create(op.get_bind(), checkfirst=True)
    op.add_column('merchants', sa.Column('risk_level', postgresql.ENUM(name='risk_level', create_type=False),
                                         nullable=True))
    op.create_table(
        'risk_reviews',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('merchant_id', sa.Integer(), nullable=False),
        sa.Column('outcome', sa.String(length=20), nullable=False),
    )
    # decided after the review: store the outcome as a risk level
    op.alter_column('risk_reviews', 'outcome', type_=postgresql.ENUM(name='risk_level', create_type=False),
                    existing_type=sa.String(length=20), postgresql_using='outcome::risk_level')


def downgrade():
    op.drop_table('risk_reviews')
    op.drop_column('merchants', 'risk_level')
    op.execute("DROP TYPE risk_level")
