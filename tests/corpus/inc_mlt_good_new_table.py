# migsafe-test: rules=default,backfill-in-transaction,multiple-strong-locks,missing-lock-timeout,bare-commit
"""create webhooks table

Revision ID: 79811243c6af
Revises: b4909991f325
Create Date: 2024-03-05 11:22:33.000000

"""
from alembic import op
import sqlalchemy as sa

revision = '79811243c6af'
down_revision = 'b4909991f325'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'webhooks',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('url', sa.Text(), nullable=False),
    )
    op.add_column('webhooks', sa.Column('secret', sa.String(length=64), nullable=True))
    op.create_index('ix_webhooks_url', 'webhooks', ['url'])


def downgrade():
    pass
