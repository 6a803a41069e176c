"""index invoices by organization

Revision ID: ee55ff66aa77
Revises: dd44ee55ff66
Create Date: 2022-03-01 00:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

revision = 'ee55ff66aa77'
down_revision = 'dd44ee55ff66'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_invoices_organization_id', 'invoices', ['organization_id'])  # expect: index-not-concurrent
    op.create_unique_constraint('uq_organizations_slug', 'organizations', ['slug'])  # expect: unique-constraint-builds-index


def downgrade():
    op.drop_constraint('uq_organizations_slug', 'organizations', type_='unique')
    op.drop_index('ix_invoices_organization_id', table_name='invoices')
