# migsafe-test: rules=default,backfill-in-transaction,multiple-strong-locks,missing-lock-timeout,bare-commit
"""refuse to migrate with orphan rows

Revision ID: bc7e136eed0e
Revises: 783b361a2646
Create Date: 2024-03-05 11:22:33.000000

"""
from alembic import op
import sqlalchemy as sa

revision = 'bc7e136eed0e'
down_revision = '783b361a2646'
branch_labels = None
depends_on = None


def upgrade():
    conn = op.get_bind()
    orphans = conn.execute(sa.text(
        "SELECT count(*) FROM order_items oi LEFT JOIN orders o ON o.id = oi.order_id WHERE o.id IS NULL"
    )).scalar()
    if orphans:
        raise RuntimeError(f"{orphans} orphan order_items: clean them up first")


def downgrade():
    pass
