"""create feature_flags

Revision ID: 708192a3b4c5
Revises: 6e7f8091a2b3
Create Date: 2024-05-20 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

revision = '708192a3b4c5'
down_revision = '6e7f8091a2b3'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'feature_flags',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('key', sa.String(length=100), nullable=False),
        sa.Column('enabled', sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.create_index('ix_feature_flags_key', 'feature_flags', ['key'])
    # the lookup needs uniqueness: replace the plain index
    op.drop_index('ix_feature_flags_key', table_name='feature_flags')
    op.create_index('uq_feature_flags_key', 'feature_flags', ['key'], unique=True)


def downgrade():
    op.drop_table('feature_flags')
