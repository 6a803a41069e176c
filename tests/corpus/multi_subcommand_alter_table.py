"""users: tenant scoping and cleanup in one ALTER

Revision ID: e6f7a8b9c0d3
Revises: d5e6f7a8b9c2
Create Date: 2025-02-18 09:00:00.000000

"""
from alembic import op

revision = 'e6f7a8b9c0d3'
down_revision = 'd5e6f7a8b9c2'
branch_labels = None
depends_on = None


def upgrade():
    # The CHECKs first: past the ADD COLUMN tenant_id ... NOT NULL below, users is empty (with a row the ADD
    # fails), and they would scan nothing.
    op.execute(  # expect: constraint-without-not-valid
        "ALTER TABLE users "
        "ADD CONSTRAINT ck_users_email_lower CHECK (email = lower(email)), "
        "ADD CONSTRAINT ck_users_name_len CHECK (char_length(name) <= 200)"
    )
    op.execute(  # expect: not-null-without-default, set-not-null, drop-column
        """
        ALTER TABLE users
            ADD COLUMN tenant_id integer NOT NULL,
            ALTER COLUMN email SET NOT NULL,
            DROP COLUMN legacy_flags
        """
    )


def downgrade():
    pass
