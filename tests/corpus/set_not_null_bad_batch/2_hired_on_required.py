"""employees.hired_on is required

Revision ID: 3a4b5c6d7e8a
Revises: 2f3a4b5c6d7f
Create Date: 2020-06-01 00:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

revision = '3a4b5c6d7e8a'
down_revision = '2f3a4b5c6d7f'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('employees', schema=None) as batch_op:
        batch_op.alter_column('hired_on', existing_type=sa.DATE(), nullable=False)  # expect: set-not-null


def downgrade():
    with op.batch_alter_table('employees', schema=None) as batch_op:
        batch_op.alter_column('hired_on', existing_type=sa.DATE(), nullable=True)
