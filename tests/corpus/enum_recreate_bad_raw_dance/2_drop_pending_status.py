"""remove the 'pending' order status

Revision ID: 2a3b4c5d6e7f
Revises: 1f0e9d8c7b6a
Create Date: 2022-11-21 14:00:00.000000

"""
from alembic import op

revision = '2a3b4c5d6e7f'
down_revision = '1f0e9d8c7b6a'
branch_labels = None
depends_on = None


def upgrade():
    op.execute("UPDATE orders SET status = 'new' WHERE status = 'pending'")
    op.execute("ALTER TYPE order_status RENAME TO order_status_old")
    op.execute("CREATE TYPE order_status AS ENUM ('new', 'paid', 'cancelled')")
    op.execute(  # expect: enum-recreate
        "ALTER TABLE orders ALTER COLUMN status TYPE order_status "
        "USING status::text::order_status"
    )
    op.execute("DROP TYPE order_status_old")


def downgrade():
    op.execute("ALTER TYPE order_status RENAME TO order_status_old")
    op.execute("CREATE TYPE order_status AS ENUM ('new', 'pending', 'paid', 'cancelled')")
    op.execute("ALTER TABLE orders ALTER COLUMN status TYPE order_status USING status::text::order_status")
    op.execute("DROP TYPE order_status_old")
