"""add organization scoping to documents (hand-written SQL)

Revision ID: 5c6d7e8f9a3e
Revises: 4b5c6d7e8f2d
Create Date: 2025-08-18 09:00:00.000000

"""
from alembic import op

revision = '5c6d7e8f9a3e'
down_revision = '4b5c6d7e8f2d'
branch_labels = None
depends_on = None

UPGRADE_SQL = """
ALTER TABLE documents ADD COLUMN organization_id integer NOT NULL;
ALTER TABLE documents ADD CONSTRAINT fk_documents_organization
    FOREIGN KEY (organization_id) REFERENCES organizations (id);
CREATE INDEX ix_documents_organization_id ON documents (organization_id);
"""


def upgrade():
    # On a table with rows the first statement fails; past it documents is empty (and locked until commit), so
    # the foreign key and the index scan nothing: the ADD COLUMN is the one finding.
    op.execute(UPGRADE_SQL)  # expect: not-null-without-default


def downgrade():
    op.execute("ALTER TABLE documents DROP COLUMN organization_id")
