"""drop ix_payouts_state

Revision ID: a3b4c5d6e7f8
Revises: 92a3b4c5d6e7
Create Date: 2024-06-17 10:10:10.000000

"""
from alembic import op

revision = 'a3b4c5d6e7f8'
down_revision = '92a3b4c5d6e7'
branch_labels = None
depends_on = None


def upgrade():
    op.drop_index(  # expect: concurrent-index-in-transaction
        'ix_payouts_state',
        table_name='payouts',
        postgresql_concurrently=True,
    )


def downgrade():
    op.create_index('ix_payouts_state', 'payouts', ['state'])
