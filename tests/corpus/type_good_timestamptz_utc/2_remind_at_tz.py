"""reminders.remind_at with time zone (values are UTC)

Revision ID: 1e2f3a4b5c7e
Revises: 0d1e2f3a4b6d
Create Date: 2022-10-01 00:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

revision = '1e2f3a4b5c7e'
down_revision = '0d1e2f3a4b6d'
branch_labels = None
depends_on = None


def upgrade():
    op.execute("SET LOCAL TimeZone = 'UTC'")
    op.alter_column('reminders', 'remind_at', existing_type=sa.DateTime(), type_=sa.DateTime(timezone=True))


def downgrade():
    op.execute("SET LOCAL TimeZone = 'UTC'")
    op.alter_column('reminders', 'remind_at', existing_type=sa.DateTime(timezone=True), type_=sa.DateTime())
