"""books.author_id FK, not valid

Revision ID: 0b1c2d3e4f6b
Revises: 9a0b1c2d3e5a
Create Date: 2022-02-01 00:00:00.000000

"""
from alembic import op

revision = '0b1c2d3e4f6b'
down_revision = '9a0b1c2d3e5a'
branch_labels = None
depends_on = None


def upgrade():
    op.execute(
        "ALTER TABLE books ADD CONSTRAINT fk_books_author_id "
        "FOREIGN KEY (author_id) REFERENCES authors (id) NOT VALID"
    )


def downgrade():
    op.execute("ALTER TABLE books DROP CONSTRAINT fk_books_author_id")
