# migsafe-test: rules=default,backfill-in-transaction,multiple-strong-locks,missing-lock-timeout,bare-commit
"""create plan_limits and seed it

Revision ID: 6985090536e7
Revises: 467cdf63b60f
Create Date: 2024-03-05 11:22:33.000000

"""
from alembic import op
import sqlalchemy as sa

revision = '6985090536e7'
down_revision = '467cdf63b60f'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'plan_limits',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('plan', sa.String(length=20), nullable=False),
        sa.Column('seats', sa.Integer(), nullable=True),
    )
    op.execute("INSERT INTO plan_limits (plan, seats) VALUES ('free', 3), ('team', 25)")
    op.execute("UPDATE plan_limits SET seats = 5 WHERE plan = 'free'")
    op.bulk_insert(sa.table('plan_limits', sa.column('plan'), sa.column('seats')), [{'plan': 'pro', 'seats': 100}])


def downgrade():
    pass
