"""create audit_exports; tidy constraint names

Revision ID: 6b7c8d9e0f3c
Revises: 3e4f5a6b7c0f
Create Date: 2025-05-19 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

revision = '6b7c8d9e0f3c'
down_revision = '3e4f5a6b7c0f'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'audit_exports',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('requested_by', sa.Integer(), nullable=False),
    )
    op.alter_column('audit_exports', 'requested_by', new_column_name='requested_by_id')
    op.execute("ALTER TABLE users RENAME CONSTRAINT users_email_key TO uq_users_email")
    op.execute("ALTER INDEX ix_users_lower_email RENAME TO ix_users_email_ci")


def downgrade():
    op.execute("ALTER INDEX ix_users_email_ci RENAME TO ix_users_lower_email")
    op.execute("ALTER TABLE users RENAME CONSTRAINT uq_users_email TO users_email_key")
    op.drop_table('audit_exports')
