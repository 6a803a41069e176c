# migsafe-test: rules=add-column-rewrites,volatile-default
"""stored search title

Revision ID: c8a08b77e96d
Revises: 585d17ba679c
Create Date: 2024-03-05 11:22:33.000000

"""
from alembic import op
import sqlalchemy as sa

revision = 'c8a08b77e96d'
down_revision = '585d17ba679c'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column(  # expect: add-column-rewrites
        'tickets',
        sa.Column('search_title', sa.Text(), sa.Computed("lower(title)", persisted=True)),
    )


def downgrade():
    pass
