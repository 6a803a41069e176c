# migsafe-test: rules=add-column-rewrites,volatile-default
"""ticket numbers as identity

Revision ID: ec901e175b3a
Revises: b15144c9bafc
Create Date: 2024-03-05 11:22:33.000000

"""
from alembic import op
import sqlalchemy as sa

revision = 'ec901e175b3a'
down_revision = 'b15144c9bafc'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('tickets', sa.Column('number', sa.BigInteger(), sa.Identity()))  # expect: add-column-rewrites


def downgrade():
    pass
