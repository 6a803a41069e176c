"""index coupons by code (outside the transaction)

Revision ID: e7f8091a2b3c
Revises: d6e7f8091a2b
Create Date: 2024-07-15 10:10:10.000000

"""
from alembic import op

revision = 'e7f8091a2b3c'
down_revision = 'd6e7f8091a2b'
branch_labels = None
depends_on = None


def upgrade():
    # end Alembic's transaction so the concurrent build can run
    op.execute("COMMIT")
    op.create_index('ix_coupons_code', 'coupons', ['code'], unique=True, postgresql_concurrently=True)


def downgrade():
    op.execute("COMMIT")
    op.drop_index('ix_coupons_code', table_name='coupons', postgresql_concurrently=True)
