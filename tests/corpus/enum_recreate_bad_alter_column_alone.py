"""invoice_state: drop 'sent'

Revision ID: d9c8b7a6f5e4
Revises: 3c4d5e6f7a8b
Create Date: 2024-01-29 11:42:18.000000

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = 'd9c8b7a6f5e4'
down_revision = '3c4d5e6f7a8b'
branch_labels = None
depends_on = None

new_state = sa.Enum('draft', 'open', 'paid', 'void', name='invoice_state')
old_state = postgresql.ENUM('draft', 'sent', 'open', 'paid', 'void', name='invoice_state_old')


def upgrade():
    op.execute("UPDATE invoices SET state = 'open' WHERE state = 'sent'")
    op.execute("ALTER TYPE invoice_state RENAME TO invoice_state_old")
    new_state.create(op.get_bind(), checkfirst=False)
    op.alter_column(  # expect: enum-recreate
        'invoices',
        'state',
        existing_type=old_state,
        type_=new_state,
        existing_nullable=False,
        postgresql_using='state::text::invoice_state',
    )
    op.execute("DROP TYPE invoice_state_old")


def downgrade():
    pass
