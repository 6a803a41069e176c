# migsafe-test: rules=default,backfill-in-transaction,multiple-strong-locks,missing-lock-timeout,bare-commit
"""sync order_status enum (alembic-postgresql-enum)

Revision ID: 6c67c82d48dd
Revises: a7b99b44463f
Create Date: 2024-03-05 11:22:33.000000

"""
from alembic import op
import sqlalchemy as sa
from alembic_postgresql_enum import TableReference

revision = '6c67c82d48dd'
down_revision = 'a7b99b44463f'
branch_labels = None
depends_on = None


def upgrade():
    op.sync_enum_values(  # expect: enum-recreate, missing-lock-timeout
        'public',
        'order_status',
        ['new', 'paid', 'shipped', 'cancelled'],
        [TableReference(table_schema='public', table_name='orders', column_name='status')],
        enum_values_to_rename=[],
    )


def downgrade():
    pass
