"""index api_clients (written a week later, same release)

Revision ID: a4b5c6d7e8f1
Revises: f3a4b5c6d7e0
Create Date: 2023-01-08 00:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

revision = 'a4b5c6d7e8f1'
down_revision = 'f3a4b5c6d7e0'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_api_clients_client_id', 'api_clients', ['client_id'], unique=True)  # expect: index-not-concurrent
    op.create_foreign_key('fk_api_clients_account_id', 'api_clients', 'accounts', ['account_id'], ['id'])  # expect: constraint-without-not-valid


def downgrade():
    pass
