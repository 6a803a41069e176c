"""normalize voucher codes while widening them

Revision ID: 2b3c4d5e6f8b
Revises: 1a2b3c4d5e7a
Create Date: 2022-09-01 00:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

revision = '2b3c4d5e6f8b'
down_revision = '1a2b3c4d5e7a'
branch_labels = None
depends_on = None


def upgrade():
    op.alter_column(  # expect: column-type-rewrite
        'vouchers', 'code',
        existing_type=sa.String(length=20),
        type_=sa.String(length=40),
        postgresql_using='upper(trim(code))',
    )


def downgrade():
    op.alter_column('vouchers', 'code', existing_type=sa.String(length=40), type_=sa.String(length=20))
