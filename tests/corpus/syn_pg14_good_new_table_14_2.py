# migsafe-test: rules=concurrent-index-pg14-bug
# migsafe-test: pg-version=14.2
"""index on a table created here

Revision ID: 617af97d19b4
Revises: b3c4808a5b7d
Create Date: 2024-03-05 11:22:33.000000

"""
from alembic import op
import sqlalchemy as sa

revision = '617af97d19b4'
down_revision = 'b3c4808a5b7d'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('labels', sa.Column('id', sa.Integer(), primary_key=True), sa.Column('name', sa.Text()))
    with op.get_context().autocommit_block():
        op.create_index('ix_labels_name', 'labels', ['name'], postgresql_concurrently=True)


def downgrade():
    pass
