# migsafe-test: rules=table-rewrite-command
"""batch recreate

Revision ID: 7b9552ba3289
Revises: afeb1733e637
Create Date: 2024-03-05 11:22:33.000000

"""
from alembic import op
import sqlalchemy as sa

revision = '7b9552ba3289'
down_revision = 'afeb1733e637'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('tickets', recreate='always') as batch_op:  # expect: table-rewrite-command
        batch_op.alter_column('subject', type_=sa.String(300))


def downgrade():
    pass
