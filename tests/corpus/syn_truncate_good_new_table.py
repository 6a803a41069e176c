# migsafe-test: rules=truncate-table
"""truncate table created here

Revision ID: db8a1971730b
Revises: e38a49fb54ab
Create Date: 2024-03-05 11:22:33.000000

"""
from alembic import op
import sqlalchemy as sa

revision = 'db8a1971730b'
down_revision = 'e38a49fb54ab'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('tmp_import', sa.Column('id', sa.Integer(), primary_key=True))
    op.execute("INSERT INTO tmp_import (id) VALUES (1)")
    op.execute("TRUNCATE tmp_import")


def downgrade():
    pass
