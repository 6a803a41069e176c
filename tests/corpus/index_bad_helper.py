"""tenant indexes

Revision ID: 9d0e1f2a3b4c
Revises: 8c9d0e1f2a3b
Create Date: 2024-03-08 12:00:00.000000

"""
from alembic import op

revision = '9d0e1f2a3b4c'
down_revision = '8c9d0e1f2a3b'
branch_labels = None
depends_on = None

TENANT_TABLES = ['projects', 'documents']


def add_tenant_index(table):
    op.create_index(f'ix_{table}_tenant_id', table, ['tenant_id'])


def upgrade():
    for table in TENANT_TABLES:
        # A helper's op.* call is reported where upgrade() calls it (the line rule).
        add_tenant_index(table)  # expect: index-not-concurrent, index-not-concurrent


def downgrade():
    for table in TENANT_TABLES:
        op.drop_index(f'ix_{table}_tenant_id', table_name=table)
