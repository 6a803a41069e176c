"""users.phone is required (via a validated check)

Revision ID: 8f9a0b1c2d3f
Revises: 1e2f3a4b5c6e
Create Date: 2024-10-07 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

revision = '8f9a0b1c2d3f'
down_revision = '1e2f3a4b5c6e'
branch_labels = None
depends_on = None


def upgrade():
    op.execute("SET lock_timeout = '5s'")
    op.create_check_constraint(
        'users_phone_not_null', 'users', 'phone IS NOT NULL', postgresql_not_valid=True
    )
    with op.get_context().autocommit_block():
        op.execute("ALTER TABLE users VALIDATE CONSTRAINT users_phone_not_null")
    op.alter_column('users', 'phone', existing_type=sa.String(length=32), nullable=False)
    op.drop_constraint('users_phone_not_null', 'users', type_='check')


def downgrade():
    op.alter_column('users', 'phone', existing_type=sa.String(length=32), nullable=True)
