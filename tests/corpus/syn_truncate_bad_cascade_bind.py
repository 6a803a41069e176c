# migsafe-test: rules=truncate-table
"""reseed sla policies

Revision ID: c6176a1fec22
Revises: 3e7d1e45b013
Create Date: 2024-03-05 11:22:33.000000

"""
from alembic import op
import sqlalchemy as sa

revision = 'c6176a1fec22'
down_revision = '3e7d1e45b013'
branch_labels = None
depends_on = None


def upgrade():
    conn = op.get_bind()
    conn.execute(sa.text("TRUNCATE TABLE sla_policies CASCADE"))  # expect: truncate-table
    conn.execute(sa.text("INSERT INTO sla_policies (name) VALUES ('Standard')"))


def downgrade():
    pass
