# migsafe-test: rules=table-rewrite-command
"""cluster by created_at

Revision ID: 5d4fb7359e0e
Revises: b59447080ade
Create Date: 2024-03-05 11:22:33.000000

"""
from alembic import op
import sqlalchemy as sa

revision = '5d4fb7359e0e'
down_revision = 'b59447080ade'
branch_labels = None
depends_on = None


def upgrade():
    op.execute("CLUSTER tickets USING ix_tickets_created_at")  # expect: table-rewrite-command


def downgrade():
    pass
