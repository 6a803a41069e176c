"""sampling and tracing columns on requests

Revision ID: e3f4a5b6c7d9
Revises: d2e3f4a5b6c8
Create Date: 2024-11-26 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

revision = 'e3f4a5b6c7d9'
down_revision = 'd2e3f4a5b6c8'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('requests', sa.Column('sample_bucket', sa.Integer(), server_default=sa.text('(random() * 100)::int'), nullable=False))  # expect: volatile-default
    op.add_column('requests', sa.Column('recorded_xid', sa.BigInteger(), server_default=sa.text('txid_current()'), nullable=True))
    op.add_column('requests', sa.Column('received_at', sa.DateTime(timezone=True), server_default=sa.func.statement_timestamp(), nullable=True))
    op.execute("ALTER TABLE requests ADD COLUMN trace_note text DEFAULT timeofday()")  # expect: volatile-default


def downgrade():
    pass
