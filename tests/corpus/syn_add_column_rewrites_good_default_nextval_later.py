# migsafe-test: rules=add-column-rewrites,volatile-default
"""sequence default set after adding the column

Revision ID: 3ea983a82306
Revises: df936a167942
Create Date: 2024-03-05 11:22:33.000000

"""
from alembic import op
import sqlalchemy as sa

revision = '3ea983a82306'
down_revision = 'df936a167942'
branch_labels = None
depends_on = None


def upgrade():
    op.execute("CREATE SEQUENCE tickets_number_seq")
    op.add_column('tickets', sa.Column('number', sa.BigInteger(), nullable=True))
    op.alter_column('tickets', 'number', server_default=sa.text("nextval('tickets_number_seq')"))


def downgrade():
    pass
