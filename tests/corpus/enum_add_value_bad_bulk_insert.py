"""add 'enterprise' plan tier and seed the plan

Revision ID: f2a3b4c5d6e8
Revises: e1f2a3b4c5d7
Create Date: 2024-10-01 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

revision = 'f2a3b4c5d6e8'
down_revision = 'e1f2a3b4c5d7'
branch_labels = None
depends_on = None


def upgrade():
    op.execute("ALTER TYPE plan_tier ADD VALUE 'enterprise'")  # expect: enum-add-value-in-transaction
    plans = sa.table('plans', sa.column('code', sa.String), sa.column('tier', sa.String))
    op.bulk_insert(plans, [{'code': 'ent-annual', 'tier': 'enterprise'}])


def downgrade():
    op.execute("DELETE FROM plans WHERE code = 'ent-annual'")
