# migsafe-test: rules=default,backfill-in-transaction,multiple-strong-locks,missing-lock-timeout,bare-commit
"""create audit entries referencing users

Revision ID: aec29fc008fc
Revises: a94e30597430
Create Date: 2024-03-05 11:22:33.000000

"""
from alembic import op
import sqlalchemy as sa

revision = 'aec29fc008fc'
down_revision = 'a94e30597430'
branch_labels = None
depends_on = None


def upgrade():
    op.execute("SET LOCAL lock_timeout = '5s'")
    op.create_table(
        'audit_entries',
        sa.Column('id', sa.BigInteger(), primary_key=True),
        sa.Column('user_id', sa.Integer(), sa.ForeignKey('users.id'), nullable=False),
        sa.Column('action', sa.String(length=50), nullable=False),
    )
    op.create_index('ix_audit_entries_user_id', 'audit_entries', ['user_id'])


def downgrade():
    pass
