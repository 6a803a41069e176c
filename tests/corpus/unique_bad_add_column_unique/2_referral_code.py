"""partners get a unique referral code

Revision ID: 5e6f7a8b9c2f
Revises: 4d5e6f7a8b1e
Create Date: 2022-04-01 00:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

revision = '5e6f7a8b9c2f'
down_revision = '4d5e6f7a8b1e'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('partners', sa.Column('referral_code', sa.String(length=16), nullable=True, unique=True))  # expect: unique-constraint-builds-index


def downgrade():
    op.drop_column('partners', 'referral_code')
