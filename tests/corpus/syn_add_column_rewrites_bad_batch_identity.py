# migsafe-test: rules=add-column-rewrites,volatile-default
"""batch add identity column

Revision ID: da41b654a5e5
Revises: 203a330f38f0
Create Date: 2024-03-05 11:22:33.000000

"""
from alembic import op
import sqlalchemy as sa

revision = 'da41b654a5e5'
down_revision = '203a330f38f0'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('invoices') as batch_op:
        batch_op.add_column(sa.Column('seq', sa.Integer(), sa.Identity(always=True)))  # expect: add-column-rewrites


def downgrade():
    pass
