"""create report snapshot table

Revision ID: 2b3c4d5e6f0d
Revises: 1a2b3c4d5e9c
Create Date: 2025-06-16 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

revision = '2b3c4d5e6f0d'
down_revision = '1a2b3c4d5e9c'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'report_snapshots_tmp',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('taken_at', sa.DateTime(timezone=True), nullable=False),
    )
    op.execute("INSERT INTO report_snapshots_tmp (taken_at) VALUES (now())")
    op.rename_table('report_snapshots_tmp', 'report_snapshots')


def downgrade():
    op.drop_table('report_snapshots')
