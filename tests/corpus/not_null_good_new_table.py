"""create api_tokens

Revision ID: 7a8b9c0d1e2a
Revises: 6f7a8b9c0d1f
Create Date: 2024-09-02 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

revision = '7a8b9c0d1e2a'
down_revision = '6f7a8b9c0d1f'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'api_tokens',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('token_hash', sa.String(length=128), nullable=False),
    )
    op.add_column('api_tokens', sa.Column('owner_id', sa.Integer(), nullable=False))
    op.alter_column('api_tokens', 'token_hash', nullable=False)


def downgrade():
    op.drop_table('api_tokens')
