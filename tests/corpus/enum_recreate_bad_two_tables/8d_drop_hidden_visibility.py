"""visibility: fold 'hidden' into 'private'

Revision ID: 8d9e0f1a2b3c
Revises: 7c8d9e0f1a2b
Create Date: 2023-08-08 08:08:08.000000

"""
from alembic import op

revision = '8d9e0f1a2b3c'
down_revision = '7c8d9e0f1a2b'
branch_labels = None
depends_on = None


def upgrade():
    op.execute("""
        UPDATE listings SET visibility = 'private' WHERE visibility = 'hidden';
        UPDATE listing_revisions SET visibility = 'private' WHERE visibility = 'hidden';
        ALTER TYPE visibility RENAME TO visibility_old;
        CREATE TYPE visibility AS ENUM ('public', 'unlisted', 'private');
    """)
    op.execute(  # expect: enum-recreate, enum-recreate
        """
        ALTER TABLE listings ALTER COLUMN visibility TYPE visibility USING visibility::text::visibility;
        ALTER TABLE listing_revisions ALTER COLUMN visibility TYPE visibility USING visibility::text::visibility;
        """
    )
    op.execute("DROP TYPE visibility_old")


def downgrade():
    pass
