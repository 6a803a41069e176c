"""give legacy_imports a primary key

Revision ID: 0e1f2a3b4c5e
Revises: 3d4e5f6a7b8d
Create Date: 2025-01-21 09:00:00.000000

"""
from alembic import op

revision = '0e1f2a3b4c5e'
down_revision = '3d4e5f6a7b8d'
branch_labels = None
depends_on = None


def upgrade():
    op.execute("ALTER TABLE legacy_imports ADD PRIMARY KEY (import_id)")  # expect: unique-constraint-builds-index


def downgrade():
    op.execute("ALTER TABLE legacy_imports DROP CONSTRAINT legacy_imports_pkey")
