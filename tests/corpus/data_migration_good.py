"""seed plans and normalise emails

Revision ID: 7e8f9a0b1c5a
Revises: 6d7e8f9a0b4f
Create Date: 2025-09-01 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

revision = '7e8f9a0b1c5a'
down_revision = '6d7e8f9a0b4f'
branch_labels = None
depends_on = None

plans = sa.table(
    'plans',
    sa.column('code', sa.String),
    sa.column('name', sa.String),
    sa.column('price_cents', sa.Integer),
)


def upgrade():
    op.bulk_insert(plans, [
        {'code': 'free', 'name': 'Free', 'price_cents': 0},
        {'code': 'team', 'name': 'Team', 'price_cents': 2900},
    ])
    conn = op.get_bind()
    conn.execute(sa.text("UPDATE users SET email = lower(email) WHERE email <> lower(email)"))
    op.execute(
        sa.text("DELETE FROM sessions WHERE expires_at < :cutoff").bindparams(cutoff='2025-01-01')
    )


def downgrade():
    op.execute("DELETE FROM plans WHERE code IN ('free', 'team')")
