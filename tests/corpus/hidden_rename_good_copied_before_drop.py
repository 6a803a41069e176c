"""keep a display label only where it differs from the generated code

Revision ID: c4d5e6f7a8b9
Revises: b3c4d5e6f7a8
Create Date: 2024-10-14 09:12:40.553120

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = 'c4d5e6f7a8b9'
down_revision = 'b3c4d5e6f7a8'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('warehouses', sa.Column('display_label', sa.String(), nullable=True))
    # the label is kept only where someone typed a non-standard one
    op.execute("UPDATE warehouses SET display_label = label WHERE label <> region || '-' || site_no")
    op.drop_column('warehouses', 'label')  # expect: drop-column


def downgrade():
    op.add_column('warehouses', sa.Column('label', sa.VARCHAR(), autoincrement=False, nullable=True))
    op.execute("UPDATE warehouses SET label = coalesce(display_label, region || '-' || site_no)")
    op.drop_column('warehouses', 'display_label')
