"""timestamps on reviews

Revision ID: 8f9a0b1c2d5a
Revises: 3a4b5c6d7e0b
Create Date: 2025-04-14 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

revision = '8f9a0b1c2d5a'
down_revision = '3a4b5c6d7e0b'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('reviews', sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False))
    op.add_column('reviews', sa.Column('source', sa.String(length=20), server_default='web', nullable=False))
    op.execute("ALTER TABLE reviews ADD COLUMN moderated_at timestamptz DEFAULT CURRENT_TIMESTAMP")


def downgrade():
    op.execute("ALTER TABLE reviews DROP COLUMN moderated_at")
    op.drop_column('reviews', 'source')
    op.drop_column('reviews', 'created_at')
