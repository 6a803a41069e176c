# migsafe-test: transaction-per-migration=false
# migsafe-test: ship-together=2_fk_not_valid.py 3_validate.py
"""create authors and books

Revision ID: 9a0b1c2d3e5a
Revises:
Create Date: 2022-01-01 00:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

revision = '9a0b1c2d3e5a'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('authors', sa.Column('id', sa.Integer(), primary_key=True))
    op.create_table(
        'books',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('author_id', sa.Integer(), nullable=True),
    )


def downgrade():
    op.drop_table('books')
    op.drop_table('authors')
