# migsafe-test: rules=lock-table
"""lock table created here

Revision ID: 73539fb20012
Revises: 5dda95e1c80f
Create Date: 2024-03-05 11:22:33.000000

"""
from alembic import op
import sqlalchemy as sa

revision = '73539fb20012'
down_revision = '5dda95e1c80f'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('ledger_v2', sa.Column('id', sa.Integer(), primary_key=True))
    op.execute("LOCK TABLE ledger_v2 IN ACCESS EXCLUSIVE MODE")


def downgrade():
    pass
