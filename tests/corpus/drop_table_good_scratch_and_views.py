"""rebuild reporting views

Revision ID: 3a4b5c6d7e1c
Revises: 0d1e2f3a4b8f
Create Date: 2025-08-04 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

revision = '3a4b5c6d7e1c'
down_revision = '0d1e2f3a4b8f'
branch_labels = None
depends_on = None


def upgrade():
    op.execute("DROP VIEW IF EXISTS monthly_revenue")
    op.execute("DROP MATERIALIZED VIEW IF EXISTS customer_ltv")
    op.create_table(
        'ltv_scratch',
        sa.Column('customer_id', sa.Integer(), nullable=False),
        sa.Column('ltv_cents', sa.BigInteger(), nullable=False),
    )
    op.execute("INSERT INTO ltv_scratch SELECT customer_id, sum(total_cents) FROM orders GROUP BY customer_id")
    op.execute("CREATE VIEW monthly_revenue AS SELECT date_trunc('month', created_at) AS month, sum(total_cents) AS total FROM orders GROUP BY 1")
    op.drop_table('ltv_scratch')


def downgrade():
    op.execute("DROP VIEW IF EXISTS monthly_revenue")
