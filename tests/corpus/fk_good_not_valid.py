"""link payouts to merchants (not valid)

Revision ID: 4f5a6b7c8d0f
Revises: 6d7e8f9a0b2d
Create Date: 2025-01-20 09:00:00.000000

"""
from alembic import op

revision = '4f5a6b7c8d0f'
down_revision = '6d7e8f9a0b2d'
branch_labels = None
depends_on = None


def upgrade():
    op.execute("SET lock_timeout = '5s'")
    op.create_foreign_key(
        'fk_payouts_merchant_id', 'payouts', 'merchants',
        ['merchant_id'], ['id'],
        postgresql_not_valid=True,
    )
    op.create_check_constraint(
        'ck_payouts_amount_positive', 'payouts', 'amount_cents > 0', postgresql_not_valid=True
    )
    op.execute("ALTER TABLE payouts ADD CONSTRAINT ck_payouts_currency CHECK (char_length(currency) = 3) NOT VALID")


def downgrade():
    op.drop_constraint('ck_payouts_currency', 'payouts', type_='check')
    op.drop_constraint('ck_payouts_amount_positive', 'payouts', type_='check')
    op.drop_constraint('fk_payouts_merchant_id', 'payouts', type_='foreignkey')
