# migsafe-test: rules=default,backfill-in-transaction,multiple-strong-locks,missing-lock-timeout,bare-commit
"""ORM seed session commit (session joins the migration transaction)

Revision ID: 7507e7212ac7
Revises: 9f13cddc175d
Create Date: 2024-03-05 11:22:33.000000

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.orm import Session

from myapp.models import FeatureFlag

revision = '7507e7212ac7'
down_revision = '9f13cddc175d'
branch_labels = None
depends_on = None


def upgrade():
    session = Session(bind=op.get_bind())
    session.add_all([FeatureFlag(name='new_editor', enabled=False), FeatureFlag(name='beta_api', enabled=False)])
    session.commit()


def downgrade():
    pass
