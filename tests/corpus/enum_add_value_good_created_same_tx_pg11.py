# migsafe-test: pg-version=11
"""create document kind type (squashed)

Revision ID: 3e5a7c9b1d0f
Revises: 1c3e5a7b9d2f
Create Date: 2020-05-05 10:20:30.000000

"""
from alembic import op

revision = '3e5a7c9b1d0f'
down_revision = '1c3e5a7b9d2f'
branch_labels = None
depends_on = None


def upgrade():
    op.execute("CREATE TYPE document_kind AS ENUM ('invoice', 'credit_note')")
    # squashed from a later revision
    op.execute("ALTER TYPE document_kind ADD VALUE 'receipt'")
    op.execute("ALTER TABLE documents ADD COLUMN kind document_kind")


def downgrade():
    op.execute("ALTER TABLE documents DROP COLUMN kind")
    op.execute("DROP TYPE document_kind")
