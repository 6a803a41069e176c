"""create companies

Revision ID: 2a3b4c5d6e71
Revises:
Create Date: 2022-01-01 00:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

revision = '2a3b4c5d6e71'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'companies',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('legal_name', sa.String(length=100), nullable=False),
        sa.Column('vat_id', sa.String(length=20), nullable=True),
    )


def downgrade():
    op.drop_table('companies')
