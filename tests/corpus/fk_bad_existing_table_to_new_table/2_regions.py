"""regions table; stores reference it

Revision ID: 9d0e1f2a3b4d
Revises: 8c9d0e1f2a3c
Create Date: 2021-07-01 00:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

revision = '9d0e1f2a3b4d'
down_revision = '8c9d0e1f2a3c'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'regions',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('name', sa.String(length=60), nullable=False),
    )
    op.create_foreign_key('fk_stores_region_id', 'stores', 'regions', ['region_id'], ['id'])  # expect: constraint-without-not-valid


def downgrade():
    op.drop_constraint('fk_stores_region_id', 'stores', type_='foreignkey')
    op.drop_table('regions')
