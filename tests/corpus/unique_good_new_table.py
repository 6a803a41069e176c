"""create invitations

Revision ID: 0d1e2f3a4b7e
Revises: 9c0d1e2f3a6d
Create Date: 2025-03-24 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

revision = '0d1e2f3a4b7e'
down_revision = '9c0d1e2f3a6d'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'invitations',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('email', sa.String(length=255), nullable=False),
        sa.Column('token', sa.String(length=64), nullable=False, unique=True),
    )
    op.create_primary_key('pk_invitations', 'invitations', ['id'])
    op.create_unique_constraint('uq_invitations_email', 'invitations', ['email'])


def downgrade():
    op.drop_table('invitations')
