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
    return view.made_in_this_deploy(known.created_in)


def named_in_this_deploy(view: RevisionView, statement: Statement, table: A.QName) -> bool:
    """True when the table got this name from a rename shipping with this one: running code never used the
    name (the rename is reported itself). Its rows are older than the deploy: dropping it still loses them."""
    known = view.table_before(statement, table)
    return known is not None and view.made_in_this_deploy(known.named_in)


def column_added_in_this_deploy(view: RevisionView, statement: Statement, table: A.QName, column: str) -> bool:
    """True when no running code knows the column by this name: a revision shipping with this one added it
    (or created its table), or gave it this name by a rename, which is reported itself. Renaming or dropping
    it breaks nothing the deploy did not already break."""
    if created_in_this_deploy(view, statement, table):
        return True
    known = view.table_before(statement, table)
    found = known.column(column) if known is not None else None
    if found is None:
        return False
    return view.made_in_this_deploy(found.added_in) or view.made_in_this_deploy(found.named_in)


def column_name_restored(view: RevisionView, statement: Statement, table: A.QName, column: str,
                         added_counts: bool = True) -> bool:
    """True when a later statement of the same revision and transaction gives ``table`` a column named
    ``column`` again (the swap autogenerate cannot write but people do: drop ``c``, rename ``c_new`` to ``c``;
    or rename ``c`` to ``c_old``, add ``c``). Other sessions never see the moment in between: at commit running
    code finds the name it uses (a changed type is another rule's business). ``added_counts``: whether a new
    ``ADD COLUMN c`` counts; after a drop it does not, since it starts empty (the values are gone)."""
    if statement.transaction is None:
        return False  # autocommit: every statement is visible on its own, the gap included
    after = False
    for other in view.revision.statements:
        if other is statement:
            after = True
            continue
        if not after or other.transaction != statement.transaction:
            continue
        for action in other.actions:
            if added_counts and isinstance(action, A.AddColumn) and action.table == table \
                    and action.column.name == column:
                return True
            if isinstance(action, A.RenameColumn) and action.table == table and action.new_name == column:
                return True
    return False


@RULE.check
def check(view: RevisionView) -> Iterator[Hit]:
    for statement, action in view.actions(A.DropTable):
        if statement.operation.batch_recreate:
            # Alembic's copy-and-swap drops the old table after copying its rows: not a user's drop.
            continue
        if created_in_this_deploy(view, statement, action.table):
            continue
        outside = _made_outside_alembic(view, statement, action)
        if outside is not None:
            yield view.hit(statement, outside, key=("table", action.table), severity="info")
            continue
        cascade = (", CASCADE also drops the views and foreign keys of other tables that depend on it"
                   if action.cascade else "")
        restored = _name_restored(view, statement, action.table)
        if restored is not None:
            copied = _copied_before(view, statement, action.table)
            yield view.hit(
                statement,
                (f"rebuilds table {action.table} by copy and swap (its rows copied earlier in this revision, another "
                 f"table given its name at line {restored}): writes other sessions commit to {action.table} after "
                 "the copy read it are lost, and the drop holds ACCESS EXCLUSIVE until the migration commits"
                 if copied else
                 f"drops table {action.table}, and line {restored} gives another table its name in the same "
                 f"transaction: running code keeps finding {action.table}, but every row of the old table is "
                 f"gone{cascade}"),
                key=("table", action.table),
                fix=("Take `LOCK TABLE ... IN EXCLUSIVE MODE` before copying, so no write lands between the copy "
                     "and the swap (reads continue), or change the table in place with ALTER TABLE." if copied
                     else None),
            )
            continue
        if named_in_this_deploy(view, statement, action.table):
            # Renamed out of the way by this deploy (the rename is reported itself): no running code uses this
            # name. Its rows were copied elsewhere when an earlier statement of the revision read them.
            if _copied_before(view, statement, action.table):
                continue
            yield view.hit(
                statement,
                f"drops table {action.table}, which this deploy gave that name: takes an ACCESS EXCLUSIVE lock "
                f"and every row is gone{cascade} (no statement before it in this revision reads them)",
                key=("table", action.table),
            )
            continue
        yield view.hit(
            statement,
            f"drops table {action.table}: takes an ACCESS EXCLUSIVE lock, every row is gone{cascade}, and "
            f"running code that still queries {action.table} fails with 'relation does not exist' until the "
            "new release is deployed",
            key=("table", action.table),
        )


def _name_restored(view: RevisionView, statement: Statement, table: A.QName) -> int | None:
    """The line of a later statement in the same transaction that gives another table this name (``ALTER TABLE
    tmp RENAME TO t``, or ``CREATE TABLE t``): other sessions never see the name missing."""
    if statement.transaction is None:
        return None
    for other in view.later_in_transaction(statement):
        for action in other.actions:
            if isinstance(action, A.RenameTable) and A.QName(action.table.schema, action.new_name) == table:
                return other.line
            if isinstance(action, A.CreateTable) and action.table == table:
                return other.line
    return None


def _copied_before(view: RevisionView, statement: Statement, table: A.QName) -> bool:
    """Whether an earlier statement of the revision reads the table (``INSERT INTO new SELECT ... FROM old``),
    under this name or the one the deploy renamed away: the rename-copy-drop pattern keeps the rows."""
    from migsafe.sql.data_flow import reads_table

    earlier = view.revision.statements[:view.revision.statements.index(statement)]
    names = {table}
    for other in reversed(earlier):  # follow the renames back to the names the rows were read under
        for action in other.actions:
            if isinstance(action, A.RenameTable) and A.QName(action.table.schema, action.new_name) in names:
                names.add(action.table)
    return any(reads_table(other, name) for other in earlier for name in names)


def _made_outside_alembic(view: RevisionView, statement: Statement, action: A.DropTable) -> str | None:
    """The message for ``DROP TABLE IF EXISTS`` of a table that, in a history starting at its base, no
    revision left in place (see :meth:`RevisionView.never_left_in_place`); None when that cannot be said."""
    if not action.if_exists:
        return None
    fate = view.never_left_in_place(statement, action.table)
    if fate is None:
        return None
    return (f"drops table {action.table} IF EXISTS, but {fate}; it exists only if made outside Alembic (as with "
            "create_all() and alembic stamp): there, running code that still queries it fails with 'relation "
            "does not exist' until the new release is deployed")
