"""validate books.author_id FK

Revision ID: 1c2d3e4f5a7c
Revises: 0b1c2d3e4f6b
Create Date: 2022-02-02 00:00:00.000000

"""
from alembic import op

revision = '1c2d3e4f5a7c'
down_revision = '0b1c2d3e4f6b'
branch_labels = None
depends_on = None


def upgrade():
    op.execute("ALTER TABLE books VALIDATE CONSTRAINT fk_books_author_id")  # expect: constraint-without-not-valid


def downgrade():
    pass
