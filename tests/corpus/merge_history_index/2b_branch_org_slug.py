"""organizations.slug (branch b)

Revision ID: cc33dd44ee55
Revises: aa11bb22cc33
Create Date: 2022-02-02 00:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

revision = 'cc33dd44ee55'
down_revision = 'aa11bb22cc33'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('organizations', sa.Column('slug', sa.String(length=60), nullable=True))


def downgrade():
    op.drop_column('organizations', 'slug')
