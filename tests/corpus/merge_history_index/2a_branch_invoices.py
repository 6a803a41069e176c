"""create invoices (branch a)

Revision ID: bb22cc33dd44
Revises: aa11bb22cc33
Create Date: 2022-02-01 00:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

revision = 'bb22cc33dd44'
down_revision = 'aa11bb22cc33'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'invoices',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('organization_id', sa.Integer(), nullable=False),
        sa.Column('number', sa.String(length=20), nullable=False),
    )


def downgrade():
    op.drop_table('invoices')
