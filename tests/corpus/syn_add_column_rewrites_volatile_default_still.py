# migsafe-test: rules=add-column-rewrites,volatile-default
"""nextval default written by hand is volatile-default

Revision ID: 9b270fbaf425
Revises: 664457425ea1
Create Date: 2024-03-05 11:22:33.000000

"""
from alembic import op
import sqlalchemy as sa

revision = '9b270fbaf425'
down_revision = '664457425ea1'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('tickets', sa.Column('ref', sa.BigInteger(), server_default=sa.text("nextval('ticket_ref_seq')")))  # expect: volatile-default


def downgrade():
    pass
