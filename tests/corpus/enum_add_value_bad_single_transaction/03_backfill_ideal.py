"""mark imported Dutch payments as iDEAL

Revision ID: 03e5a7c9d1f2
Revises: 02d4f6b8c0e1
Create Date: 2022-09-12 09:30:00.000000

"""
from alembic import op

revision = '03e5a7c9d1f2'
down_revision = '02d4f6b8c0e1'
branch_labels = None
depends_on = None


def upgrade():
    op.execute("UPDATE payments SET method = 'ideal' WHERE method = 'sepa' AND amount_cents < 0")


def downgrade():
    op.execute("UPDATE payments SET method = 'sepa' WHERE method = 'ideal'")
