# migsafe-test: rules=default,backfill-in-transaction,multiple-strong-locks,missing-lock-timeout,bare-commit
"""dedupe memberships and add unique constraint

Revision ID: 4ef42c926eb6
Revises: 727794a660c3
Create Date: 2024-03-05 11:22:33.000000

"""
from alembic import op
import sqlalchemy as sa

revision = '4ef42c926eb6'
down_revision = '727794a660c3'
branch_labels = None
depends_on = None


def upgrade():
    op.execute(  # expect: backfill-in-transaction
        """
        DELETE FROM memberships m USING memberships d
        WHERE m.user_id = d.user_id AND m.team_id = d.team_id AND m.id > d.id
    """)
    op.create_unique_constraint('uq_memberships_user_team', 'memberships', ['user_id', 'team_id'])  # expect: unique-constraint-builds-index, missing-lock-timeout


def downgrade():
    pass
