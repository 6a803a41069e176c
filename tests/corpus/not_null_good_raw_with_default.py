"""soft delete for documents

Revision ID: 6f7a8b9c0d1f
Revises: 5e6f7a8b9c0e
Create Date: 2024-08-26 09:00:00.000000

"""
from alembic import op

revision = '6f7a8b9c0d1f'
down_revision = '5e6f7a8b9c0e'
branch_labels = None
depends_on = None


def upgrade():
    op.execute("""
        ALTER TABLE documents
            ADD COLUMN is_archived boolean NOT NULL DEFAULT false,
            ADD COLUMN archived_by integer
    """)


def downgrade():
    op.execute("ALTER TABLE documents DROP COLUMN archived_by, DROP COLUMN is_archived")
