# migsafe-test: rules=default,backfill-in-transaction,multiple-strong-locks,missing-lock-timeout,bare-commit
"""lowercase all emails

Revision ID: bf19eb431913
Revises: 43d6fec21165
Create Date: 2024-03-05 11:22:33.000000

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.models.user import User
from app.lib.email import normalize_email

revision = 'bf19eb431913'
down_revision = '43d6fec21165'
branch_labels = None
depends_on = None


def upgrade():
    session = Session(bind=op.get_bind())
    users = session.query(User).all()  # expect: backfill-in-transaction
    for user in users:
        user.email = normalize_email(user.email)
        session.add(user)
    session.commit()


def downgrade():
    pass
