# migsafe-test: rules=default,backfill-in-transaction,multiple-strong-locks,missing-lock-timeout,bare-commit
"""set default status on tickets

Revision ID: d49737fd11dc
Revises: 91457bdb5024
Create Date: 2024-03-05 11:22:33.000000

"""
from alembic import op
import sqlalchemy as sa

from helpdesk.constants import DEFAULT_STATUS

revision = 'd49737fd11dc'
down_revision = '91457bdb5024'
branch_labels = None
depends_on = None


tickets = sa.table('tickets', sa.column('status', sa.String))


def upgrade():
    op.execute(tickets.update().values(status=DEFAULT_STATUS))  # expect: backfill-in-transaction


def downgrade():
    pass
