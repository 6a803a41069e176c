"""re-hash API keys stored in clear text

Revision ID: b5c6d7e8f9a2
Revises: a8b9c0d1e2f5
Create Date: 2025-03-11 09:00:00.000000

"""
import hashlib

from alembic import op
import sqlalchemy as sa

revision = 'b5c6d7e8f9a2'
down_revision = 'a8b9c0d1e2f5'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('api_keys', sa.Column('key_hash', sa.String(length=64), nullable=True))
    conn = op.get_bind()
    ids = conn.execute(sa.text("SELECT id FROM api_keys WHERE key_hash IS NULL")).scalars().all()
    for key_id in ids:
        raw = conn.execute(sa.text("SELECT raw_key FROM api_keys WHERE id = :id"), {'id': key_id}).scalar_one()
        conn.execute(
            sa.text("UPDATE api_keys SET key_hash = :h WHERE id = :id"),
            {'h': hashlib.sha256(raw.encode()).hexdigest(), 'id': key_id},
        )
    op.drop_column('api_keys', 'raw_key')  # expect: drop-column


def downgrade():
    pass
