"""saved views apply to a scope instead of a kind

Revision ID: e6f7a8b9c0d1
Revises: d5e6f7a8b9c0
Create Date: 2024-11-04 11:47:19.204467

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = 'e6f7a8b9c0d1'
down_revision = 'd5e6f7a8b9c0'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('saved_views', sa.Column('scope', sa.String(), nullable=True))
    # every existing view was made for tickets
    op.execute("UPDATE saved_views SET scope = 'ticket' WHERE scope IS NULL")
    op.drop_column('saved_views', 'kind')  # expect: drop-column


def downgrade():
    op.add_column('saved_views', sa.Column('kind', sa.VARCHAR(), autoincrement=False, nullable=True))
    op.drop_column('saved_views', 'scope')
