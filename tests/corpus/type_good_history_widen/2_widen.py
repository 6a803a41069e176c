"""longer urls, hosts may be single addresses

Revision ID: 8b9c0d1e2f4b
Revises: 7a8b9c0d1e3a
Create Date: 2021-07-01 00:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

revision = '8b9c0d1e2f4b'
down_revision = '7a8b9c0d1e3a'
branch_labels = None
depends_on = None


def upgrade():
    op.alter_column('links', 'url', type_=sa.Text())
    op.execute("alter table links alter column title type varchar(300)")
    op.execute("ALTER TABLE hosts ALTER COLUMN network TYPE inet")


def downgrade():
    pass
