# migsafe-test: rules=table-rewrite-command
"""record cluster index

Revision ID: 9506ac78c267
Revises: cc25843bae33
Create Date: 2024-03-05 11:22:33.000000

"""
from alembic import op
import sqlalchemy as sa

revision = '9506ac78c267'
down_revision = 'cc25843bae33'
branch_labels = None
depends_on = None


def upgrade():
    op.execute("ALTER TABLE tickets CLUSTER ON ix_tickets_created_at")


def downgrade():
    pass
