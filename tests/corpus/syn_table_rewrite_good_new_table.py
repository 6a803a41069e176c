# migsafe-test: rules=table-rewrite-command
"""unlogged new staging table

Revision ID: 85ffa6b61625
Revises: 641582000eca
Create Date: 2024-03-05 11:22:33.000000

"""
from alembic import op
import sqlalchemy as sa

revision = '85ffa6b61625'
down_revision = '641582000eca'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('import_batch', sa.Column('id', sa.Integer(), primary_key=True), sa.Column('raw', sa.Text()))
    op.execute("ALTER TABLE import_batch SET UNLOGGED")
    op.execute("ALTER TABLE import_batch SET TABLESPACE bulk")


def downgrade():
    pass
