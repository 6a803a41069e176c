"""AuditRecords table (mixed-case names from the legacy .NET service)

Revision ID: f7a8b9c0d1e4
Revises: e6f7a8b9c0d3
Create Date: 2025-02-25 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

revision = 'f7a8b9c0d1e4'
down_revision = 'e6f7a8b9c0d3'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'AuditRecords',
        sa.Column('Id', sa.Integer(), primary_key=True),
        sa.Column('ActorId', sa.Integer(), nullable=False),
    )
    op.execute('CREATE INDEX "IX_AuditRecords_ActorId" ON "AuditRecords" ("ActorId")')
    op.execute('ALTER TABLE "UserAccounts" DROP COLUMN "LegacyId"')  # expect: drop-column
    op.execute('CREATE INDEX ix_auditrecords_actorid ON auditrecords (actorid)')  # expect: index-not-concurrent


def downgrade():
    pass
