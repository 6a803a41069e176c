"""create public.login_attempts

Revision ID: a8b9c0d1e2f5
Revises: f7a8b9c0d1e4
Create Date: 2025-03-04 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

revision = 'a8b9c0d1e2f5'
down_revision = 'f7a8b9c0d1e4'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'login_attempts',
        sa.Column('id', sa.BigInteger(), primary_key=True),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('ip', sa.String(length=45), nullable=False),
        schema='public',
    )
    op.create_index('ix_login_attempts_user_id', 'login_attempts', ['user_id'])
    op.execute("CREATE INDEX ix_login_attempts_ip ON public.login_attempts (ip)")
    op.add_column('login_attempts', sa.Column('succeeded', sa.Boolean(), nullable=False))


def downgrade():
    op.drop_table('login_attempts', schema='public')
