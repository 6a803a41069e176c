# migsafe-test: rules=add-column-rewrites,volatile-default
"""raw bigserial

Revision ID: a63e41f9236e
Revises: ed8b4cb46c2b
Create Date: 2024-03-05 11:22:33.000000

"""
from alembic import op
import sqlalchemy as sa

revision = 'a63e41f9236e'
down_revision = 'ed8b4cb46c2b'
branch_labels = None
depends_on = None


def upgrade():
    op.execute("ALTER TABLE audit_log ADD COLUMN seq bigserial")  # expect: add-column-rewrites


def downgrade():
    pass
