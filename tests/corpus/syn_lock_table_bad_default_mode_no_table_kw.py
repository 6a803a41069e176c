# migsafe-test: rules=lock-table
"""lock without TABLE keyword

Revision ID: 71fc8e75905c
Revises: aa8c89a4cdfe
Create Date: 2024-03-05 11:22:33.000000

"""
from alembic import op
import sqlalchemy as sa

revision = '71fc8e75905c'
down_revision = 'aa8c89a4cdfe'
branch_labels = None
depends_on = None


def upgrade():
    op.execute("LOCK accounts")  # expect: lock-table


def downgrade():
    pass
