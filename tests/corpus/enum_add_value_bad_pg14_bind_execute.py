# migsafe-test: pg-version=14
"""add urgent ticket priority and escalate overdue tickets

Revision ID: 58e2b0c9d7f1
Revises: 0a9b8c7d6e5f
Create Date: 2023-10-10 11:11:11.000000

"""
from alembic import op
import sqlalchemy as sa

revision = '58e2b0c9d7f1'
down_revision = '0a9b8c7d6e5f'
branch_labels = None
depends_on = None


def upgrade():
    op.execute("alter type ticket_priority add value 'urgent'")  # expect: enum-add-value-in-transaction

    conn = op.get_bind()
    conn.execute(
        sa.text(
            "UPDATE tickets SET priority = 'urgent' "
            "WHERE due_at < now() - interval '3 days' AND closed_at IS NULL"
        )
    )


def downgrade():
    conn = op.get_bind()
    conn.execute(sa.text("UPDATE tickets SET priority = 'high' WHERE priority = 'urgent'"))
