# migsafe-test: rules=default,backfill-in-transaction,multiple-strong-locks,missing-lock-timeout,bare-commit
"""sync ticket_state enum, kwargs form

Revision ID: b0c446b88dbf
Revises: 8f62f2bb6efd
Create Date: 2024-03-05 11:22:33.000000

"""
from alembic import op
import sqlalchemy as sa
from alembic_postgresql_enum import TableReference

revision = 'b0c446b88dbf'
down_revision = '8f62f2bb6efd'
branch_labels = None
depends_on = None


def upgrade():
    op.sync_enum_values(  # expect: enum-recreate, enum-recreate, missing-lock-timeout
        enum_schema='public',
        enum_name='ticket_state',
        new_values=['open', 'pending', 'closed'],
        affected_columns=[
            TableReference(table_schema='public', table_name='tickets', column_name='state'),
            TableReference(table_schema='public', table_name='ticket_history', column_name='state'),
        ],
        enum_values_to_rename=[('solved', 'closed')],
    )


def downgrade():
    pass
