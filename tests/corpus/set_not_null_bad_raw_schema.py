"""customers.country_code is required

Revision ID: 0d1e2f3a4b5d
Revises: 9c0d1e2f3a4c
Create Date: 2024-09-23 10:00:00.000000

"""
from alembic import op

revision = '0d1e2f3a4b5d'
down_revision = '9c0d1e2f3a4c'
branch_labels = None
depends_on = None


def upgrade():
    op.execute("UPDATE public.customers SET country_code = 'US' WHERE country_code IS NULL")
    op.execute("ALTER TABLE public.customers ALTER COLUMN country_code SET NOT NULL")  # expect: set-not-null


def downgrade():
    op.execute("ALTER TABLE public.customers ALTER COLUMN country_code DROP NOT NULL")
