"""index users by email, concurrently

Revision ID: 1f2a3b4c5d6e
Revises: 0e1f2a3b4c5d
Create Date: 2024-04-02 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

revision = '1f2a3b4c5d6e'
down_revision = '0e1f2a3b4c5d'
branch_labels = None
depends_on = None


def upgrade():
    with op.get_context().autocommit_block():
        op.create_index(
            'ix_users_lower_email',
            'users',
            [sa.text('lower(email)')],
            unique=False,
            postgresql_concurrently=True,
            if_not_exists=True,
        )


def downgrade():
    with op.get_context().autocommit_block():
        op.drop_index('ix_users_lower_email', table_name='users', postgresql_concurrently=True, if_exists=True)
