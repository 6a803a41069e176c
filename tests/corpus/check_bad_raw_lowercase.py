"""discounts within bounds

Revision ID: 4b5c6d7e8f0b
Revises: 3a4b5c6d7e9a
Create Date: 2024-12-23 09:00:00.000000

"""
from alembic import op

revision = '4b5c6d7e8f0b'
down_revision = '3a4b5c6d7e9a'
branch_labels = None
depends_on = None


def upgrade():
    op.execute(  # expect: constraint-without-not-valid
        """
        -- discount is a percentage
        alter table promotions add constraint ck_promotions_discount check (discount between 0 and 100);
        """
    )


def downgrade():
    op.execute("alter table promotions drop constraint ck_promotions_discount")
