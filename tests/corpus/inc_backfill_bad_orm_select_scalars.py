# migsafe-test: rules=default,backfill-in-transaction,multiple-strong-locks,missing-lock-timeout,bare-commit
"""copy plan onto subscriptions

Revision ID: 04c4b324e67c
Revises: ef71a13f736c
Create Date: 2024-03-05 11:22:33.000000

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.orm import Session

from myapp.models import Subscription
from myapp.billing.constants import PLAN_CODES

revision = '04c4b324e67c'
down_revision = 'ef71a13f736c'
branch_labels = None
depends_on = None


def upgrade():
    session = Session(bind=op.get_bind())
    for sub in session.scalars(sa.select(Subscription)):  # expect: backfill-in-transaction
        sub.plan_code = PLAN_CODES.get(sub.plan_id, 'legacy')
    session.flush()


def downgrade():
    pass
