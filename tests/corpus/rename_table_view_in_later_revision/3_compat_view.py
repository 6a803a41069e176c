"""compatibility view for old code

Revision ID: d1e2f3a4b5c8
Revises: c0d1e2f3a4b7
Create Date: 2022-04-01 00:01:00.000000

"""
from alembic import op

revision = 'd1e2f3a4b5c8'
down_revision = 'c0d1e2f3a4b7'
branch_labels = None
depends_on = None


def upgrade():
    op.execute("CREATE VIEW members AS SELECT * FROM users")


def downgrade():
    op.execute("DROP VIEW members")
