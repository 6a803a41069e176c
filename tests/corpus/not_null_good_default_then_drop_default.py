"""accounts.plan, defaulted for existing rows only

Revision ID: d2e3f4a5b6c8
Revises: c1d2e3f4a5b7
Create Date: 2024-11-19 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

revision = 'd2e3f4a5b6c8'
down_revision = 'c1d2e3f4a5b7'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('accounts', sa.Column('plan', sa.String(length=20), nullable=False, server_default='free'))
    # new rows must set the plan explicitly
    op.alter_column('accounts', 'plan', server_default=None, existing_type=sa.String(length=20))
    op.add_column('accounts', sa.Column('notes', sa.Text(), nullable=False, server_default=sa.text("''")))


def downgrade():
    op.drop_column('accounts', 'notes')
    op.drop_column('accounts', 'plan')
