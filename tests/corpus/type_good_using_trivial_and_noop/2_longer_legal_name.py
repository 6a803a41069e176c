"""longer legal names; vat_id comment

Revision ID: 3b4c5d6e7f82
Revises: 2a3b4c5d6e71
Create Date: 2022-05-01 00:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

revision = '3b4c5d6e7f82'
down_revision = '2a3b4c5d6e71'
branch_labels = None
depends_on = None


def upgrade():
    op.alter_column('companies', 'legal_name', existing_type=sa.VARCHAR(length=100),
                    type_=sa.String(length=200), postgresql_using='legal_name::varchar(200)')
    op.alter_column('companies', 'vat_id', existing_type=sa.VARCHAR(length=20), type_=sa.String(20),
                    comment='EU VAT identification number')


def downgrade():
    pass
