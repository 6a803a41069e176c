"""normalize tag names and make them unique per organization

Revision ID: a3d7e0f5b8c2
Revises: 4b9e6a2c7d31
Create Date: 2024-06-03 11:37:29.457013

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Session

# revision identifiers, used by Alembic.
revision: str = 'a3d7e0f5b8c2'
down_revision: Union[str, Sequence[str], None] = '4b9e6a2c7d31'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


class Base(DeclarativeBase):
    pass


class Tag(Base):
    """The tags table as it is at this revision (never import application models in a migration)."""

    __tablename__ = 'tags'

    id = sa.Column(sa.Integer, primary_key=True)
    organization_id = sa.Column(sa.Integer, nullable=False)
    name = sa.Column(sa.String(50), nullable=False)


def upgrade() -> None:
    """Upgrade schema."""
    session = Session(bind=op.get_bind())
    keep = {}
    for tag in session.query(Tag).order_by(Tag.id):
        normalized = ' '.join(tag.name.split()).lower()
        key = (tag.organization_id, normalized)
        if key in keep:
            # "Billing" and "billing " were two tags: move the tickets over and drop the duplicate.
            session.execute(
                sa.text(
                    "UPDATE ticket_tags SET tag_id = :keep WHERE tag_id = :dup "
                    "AND ticket_id NOT IN (SELECT ticket_id FROM ticket_tags WHERE tag_id = :keep)"
                ),
                {'keep': keep[key], 'dup': tag.id},
            )
            session.delete(tag)
        else:
            keep[key] = tag.id
            tag.name = normalized
    session.flush()

    op.create_unique_constraint(op.f('uq_tags_organization_id_name'), 'tags', ['organization_id', 'name'])


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_constraint(op.f('uq_tags_organization_id_name'), 'tags', type_='unique')
