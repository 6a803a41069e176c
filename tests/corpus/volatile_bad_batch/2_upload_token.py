"""uploads get an opaque token

Revision ID: 7e8f9a0b1c4f
Revises: 6d7e8f9a0b3e
Create Date: 2021-06-01 00:00:00.000000

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = '7e8f9a0b1c4f'
down_revision = '6d7e8f9a0b3e'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('uploads', schema=None) as batch_op:
        batch_op.add_column(  # expect: volatile-default
            sa.Column(
                'token',
                postgresql.UUID(as_uuid=True),
                server_default=sa.text('uuid_generate_v4()'),
                nullable=False,
            )
        )


def downgrade():
    with op.batch_alter_table('uploads', schema=None) as batch_op:
        batch_op.drop_column('token')
