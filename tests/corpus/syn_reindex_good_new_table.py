# migsafe-test: rules=reindex-not-concurrent,concurrent-index-in-transaction
"""reindex table created here

Revision ID: c57a6fa00c09
Revises: ec9e4b63155e
Create Date: 2024-03-05 11:22:33.000000

"""
from alembic import op
import sqlalchemy as sa

revision = 'c57a6fa00c09'
down_revision = 'ec9e4b63155e'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('scratch', sa.Column('id', sa.Integer(), primary_key=True))
    op.create_index('ix_scratch_id', 'scratch', ['id'])
    op.execute("REINDEX TABLE scratch")
    op.execute("REINDEX INDEX ix_scratch_id")


def downgrade():
    pass
