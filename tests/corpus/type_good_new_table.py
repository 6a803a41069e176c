"""create metrics table

Revision ID: 9c0d1e2f3a5c
Revises: 6f7a8b9c0d2f
Create Date: 2024-12-02 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

revision = '9c0d1e2f3a5c'
down_revision = '6f7a8b9c0d2f'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'metrics',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('value', sa.Integer(), nullable=False),
    )
    op.alter_column('metrics', 'id', existing_type=sa.Integer(), type_=sa.BigInteger())
    op.alter_column('metrics', 'value', existing_type=sa.Integer(), type_=sa.Float())


def downgrade():
    op.drop_table('metrics')
