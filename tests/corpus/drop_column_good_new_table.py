"""create csv import table

Revision ID: 8b9c0d1e2f6d
Revises: 7a8b9c0d1e5c
Create Date: 2025-07-14 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

revision = '8b9c0d1e2f6d'
down_revision = '7a8b9c0d1e5c'
branch_labels = None
depends_on = None


def upgrade():
    op.execute("CREATE TABLE csv_imports AS SELECT id, email, created_at FROM users WITH NO DATA")
    op.execute("ALTER TABLE csv_imports DROP COLUMN created_at")
    op.create_table(
        'csv_import_errors',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('row_no', sa.Integer(), nullable=False),
        sa.Column('tmp', sa.Text(), nullable=True),
    )
    op.drop_column('csv_import_errors', 'tmp')


def downgrade():
    op.drop_table('csv_import_errors')
    op.drop_table('csv_imports')
