"""create import staging table

Revision ID: c07d5e3a1b29
Revises: 2b6f8e4d0c13
Create Date: 2024-06-18 12:00:41.000000

"""
from alembic import op
import sqlalchemy as sa

revision = 'c07d5e3a1b29'
down_revision = '2b6f8e4d0c13'
branch_labels = None
depends_on = None


def create_staging_table():
    op.create_table(
        'import_rows',
        sa.Column('id', sa.BigInteger(), primary_key=True),
        sa.Column('batch_id', sa.Integer(), nullable=False),
        sa.Column('raw', sa.Text(), nullable=True),
    )


def upgrade():
    create_staging_table()
    # the shared helper still creates "raw"; this project calls it "payload"
    op.add_column('import_rows', sa.Column('payload', sa.Text(), nullable=True))
    op.drop_column('import_rows', 'raw')


def downgrade():
    op.drop_table('import_rows')
