"""support_tickets.priority as an enum

Revision ID: 6b7c8d9e0f1a
Revises: 5a6b7c8d9e0f
Create Date: 2021-06-15 15:15:15.000000

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = '6b7c8d9e0f1a'
down_revision = '5a6b7c8d9e0f'
branch_labels = None
depends_on = None

ticket_priority = postgresql.ENUM('low', 'normal', 'high', name='ticket_priority', create_type=False)


def upgrade():
    op.execute("CREATE TYPE ticket_priority AS ENUM ('low', 'normal', 'high')")
    op.alter_column('support_tickets', 'priority', server_default=None)
    op.alter_column('support_tickets', 'priority',  # expect: enum-recreate
                    existing_type=sa.VARCHAR(length=20),
                    type_=ticket_priority,
                    postgresql_using='priority::ticket_priority')
    op.alter_column('support_tickets', 'priority', server_default='normal')


def downgrade():
    op.alter_column('support_tickets', 'priority', type_=sa.String(length=20),
                    postgresql_using='priority::text')
    op.execute("DROP TYPE ticket_priority")
