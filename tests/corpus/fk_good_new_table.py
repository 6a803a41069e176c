"""create order_notes

Revision ID: 9e0f1a2b3c5e
Revises: 5a6b7c8d9e1a
Create Date: 2025-02-03 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

revision = '9e0f1a2b3c5e'
down_revision = '5a6b7c8d9e1a'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'order_notes',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('order_id', sa.Integer(), sa.ForeignKey('orders.id', ondelete='CASCADE'), nullable=False),
        sa.Column('author_id', sa.Integer(), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.CheckConstraint('char_length(body) > 0', name='ck_order_notes_body_not_empty'),
    )
    op.create_foreign_key('fk_order_notes_author_id', 'order_notes', 'users', ['author_id'], ['id'])


def downgrade():
    op.drop_table('order_notes')
