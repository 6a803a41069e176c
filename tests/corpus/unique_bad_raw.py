"""account slugs are unique

Revision ID: 3c4d5e6f7a0d
Revises: 2b3c4d5e6f9c
Create Date: 2025-03-03 09:00:00.000000

"""
from alembic import op

revision = '3c4d5e6f7a0d'
down_revision = '2b3c4d5e6f9c'
branch_labels = None
depends_on = None


def upgrade():
    op.execute("SET lock_timeout TO '2s'")
    op.execute("ALTER TABLE ONLY public.accounts ADD CONSTRAINT accounts_slug_key UNIQUE (slug)")  # expect: unique-constraint-builds-index


def downgrade():
    op.execute("ALTER TABLE ONLY public.accounts DROP CONSTRAINT accounts_slug_key")
