"""human-friendly ticket numbers

Revision ID: 5c6d7e8f9a2d
Revises: 4b5c6d7e8f1c
Create Date: 2022-03-01 00:00:00.000000

"""
from alembic import op

revision = '5c6d7e8f9a2d'
down_revision = '4b5c6d7e8f1c'
branch_labels = None
depends_on = None


def upgrade():
    op.execute("CREATE SEQUENCE helpdesk_ticket_no_seq START 1000")
    op.execute(  # expect: volatile-default
        "ALTER TABLE helpdesk_tickets ADD COLUMN ticket_no bigint "
        "DEFAULT nextval('helpdesk_ticket_no_seq'::regclass)"
    )


def downgrade():
    op.execute("ALTER TABLE helpdesk_tickets DROP COLUMN ticket_no")
    op.execute("DROP SEQUENCE helpdesk_ticket_no_seq")
