# migsafe-test: rules=default,backfill-in-transaction,multiple-strong-locks,missing-lock-timeout,bare-commit
"""link members to teams (NOT VALID)

Revision ID: 60759fa65e36
Revises: c1ad41aa7d25
Create Date: 2024-03-05 11:22:33.000000

"""
from alembic import op
import sqlalchemy as sa

revision = '60759fa65e36'
down_revision = 'c1ad41aa7d25'
branch_labels = None
depends_on = None


def upgrade():
    op.execute("SET LOCAL lock_timeout = '5s'")
    op.add_column('members', sa.Column('team_id', sa.Integer(), nullable=True))
    op.create_foreign_key('fk_members_team_id', 'members', 'teams', ['team_id'], ['id'],
                          postgresql_not_valid=True)


def downgrade():
    pass
