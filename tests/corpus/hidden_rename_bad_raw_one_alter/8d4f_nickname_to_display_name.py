"""accounts: nickname becomes display_name

Revision ID: 8d4f03a7c2e1
Revises: 2c7e91b04d3a
Create Date: 2023-01-18 15:45:10.000000

"""
from alembic import op

revision = '8d4f03a7c2e1'
down_revision = '2c7e91b04d3a'
branch_labels = None
depends_on = None


def upgrade():
    op.execute("ALTER TABLE accounts DROP COLUMN nickname, ADD COLUMN display_name varchar(40)")  # expect: hidden-rename


def downgrade():
    op.execute("ALTER TABLE accounts DROP COLUMN display_name, ADD COLUMN nickname varchar(40)")
