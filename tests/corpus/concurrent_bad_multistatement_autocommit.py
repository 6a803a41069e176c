"""index refunds by payment, concurrently

Revision ID: b4c5d6e7f809
Revises: a3b4c5d6e7f8
Create Date: 2024-06-24 10:10:10.000000

"""
from alembic import op

revision = 'b4c5d6e7f809'
down_revision = 'a3b4c5d6e7f8'
branch_labels = None
depends_on = None


def upgrade():
    with op.get_context().autocommit_block():
        op.execute("SET lock_timeout = '5s'; CREATE INDEX CONCURRENTLY ix_refunds_payment_id ON refunds (payment_id)")  # expect: concurrent-index-in-transaction


def downgrade():
    with op.get_context().autocommit_block():
        op.execute("DROP INDEX CONCURRENTLY IF EXISTS ix_refunds_payment_id")
