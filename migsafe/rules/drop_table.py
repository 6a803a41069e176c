"""drop-table: dropping a table that running application code still queries, with all its rows."""

from __future__ import annotations

from typing import Iterator

from migsafe.model import Statement
from migsafe.rules.base import Hit, RevisionView, Rule
from migsafe.sql import actions as A

RULE = Rule(
    id="drop-table",
    severity="warning",
    summary="Dropping a table breaks application code that still uses it, and its rows are gone",
    fix="Deploy code that no longer reads or writes the table first (remove the SQLAlchemy model and every "
        "relationship to it), then drop the table in a later release, ideally after keeping a backup of it.",
)


def created_in_this_deploy(view: RevisionView, statement: Statement, table: A.QName) -> bool:
    """True when a revision shipping with this one created the table: no running code knows it, and whatever
    it holds was put there by this deploy (a ``CREATE TABLE ... AS`` scratch copy, for example).

    Unlike :meth:`RevisionView.is_new_table`, rows do not matter here: dropping or renaming such a table
    breaks nothing and loses nothing that existed before the deploy.
    """
    known = view.table_before(statement, table)
    if known is None:
        return False
    return known.created_in in view.shipping


def column_added_in_this_deploy(view: RevisionView, statement: Statement, table: A.QName, column: str) -> bool:
    """True when the column was added by a revision shipping with this one (or its table was created by one):
    running code has never used it, so renaming or dropping it breaks nothing."""
    if created_in_this_deploy(view, statement, table):
        return True
    known = view.table_before(statement, table)
    found = known.column(column) if known is not None else None
    return found is not None and found.added_in is not None and found.added_in in view.shipping


@RULE.check
def check(view: RevisionView) -> Iterator[Hit]:
    for statement, action in view.actions(A.DropTable):
        if statement.operation.batch_recreate:
            # Alembic's copy-and-swap drops the old table after copying its rows: not a user's drop.
            continue
        if created_in_this_deploy(view, statement, action.table):
            continue
        cascade = (", CASCADE also drops the views and foreign keys of other tables that depend on it"
                   if action.cascade else "")
        yield view.hit(
            statement,
            f"drops table {action.table}: takes an ACCESS EXCLUSIVE lock, every row is gone{cascade}, and "
            f"running code that still queries {action.table} fails with 'relation does not exist' until the "
            "new release is deployed",
            key=("table", action.table),
        )
