"""line item quantities are positive

Revision ID: 3a4b5c6d7e9a
Revises: 2f3a4b5c6d8f
Create Date: 2024-12-16 09:00:00.000000

"""
from alembic import op

revision = '3a4b5c6d7e9a'
down_revision = '2f3a4b5c6d8f'
branch_labels = None
depends_on = None


def upgrade():
    op.create_check_constraint(  # expect: constraint-without-not-valid
        'ck_line_items_quantity_positive',
        'line_items',
        'quantity > 0',
    )


def downgrade():
    op.drop_constraint('ck_line_items_quantity_positive', 'line_items', type_='check')
