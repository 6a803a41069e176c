# migsafe-test: rules=table-rewrite-command
"""batch with default recreate

Revision ID: f5a52df9fb29
Revises: 994ae98fa1d4
Create Date: 2024-03-05 11:22:33.000000

"""
from alembic import op
import sqlalchemy as sa

revision = 'f5a52df9fb29'
down_revision = '994ae98fa1d4'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('tickets') as batch_op:
        batch_op.add_column(sa.Column('closed_at', sa.DateTime(), nullable=True))


def downgrade():
    pass
