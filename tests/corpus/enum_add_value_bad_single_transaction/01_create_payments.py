# migsafe-test: transaction-per-migration=false
# migsafe-test: ship-together=02_add_ideal.py 03_backfill_ideal.py
"""create payments

Revision ID: 01c3e5a7b9d0
Revises:
Create Date: 2022-06-01 08:00:00.000000

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = '01c3e5a7b9d0'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'payments',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('amount_cents', sa.BigInteger(), nullable=False),
        sa.Column('method', postgresql.ENUM('card', 'sepa', name='payment_method'), nullable=False),
    )


def downgrade():
    op.drop_table('payments')
    op.execute("DROP TYPE payment_method")
