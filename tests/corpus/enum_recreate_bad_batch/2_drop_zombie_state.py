"""drop the 'zombie' job state

Revision ID: d6e7f8a9b0c2
Revises: c5d6e7f8a9b1
Create Date: 2022-09-01 00:00:00.000000

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = 'd6e7f8a9b0c2'
down_revision = 'c5d6e7f8a9b1'
branch_labels = None
depends_on = None

old_type = postgresql.ENUM('queued', 'running', 'done', 'failed', 'zombie', name='job_state_old')
new_type = postgresql.ENUM('queued', 'running', 'done', 'failed', name='job_state')


def upgrade():
    op.execute("UPDATE jobs SET state = 'failed' WHERE state = 'zombie'")
    op.execute("ALTER TYPE job_state RENAME TO job_state_old")
    new_type.create(op.get_bind())
    with op.batch_alter_table('jobs') as batch_op:
        batch_op.alter_column(  # expect: enum-recreate
            'state',
            existing_type=old_type,
            type_=new_type,
            postgresql_using='state::text::job_state',
        )
    old_type.drop(op.get_bind())


def downgrade():
    pass
