"""rename-column: renaming a column that running application code still uses under its old name."""

from __future__ import annotations

from typing import Iterator

from migsafe.model import RecordedOperation, RecordedRevision, Statement
from migsafe.rules.base import Hit, RevisionView, Rule
from migsafe.rules.drop_table import column_added_in_this_deploy, column_name_restored
from migsafe.rules.rename_table import _old_name_kept_as_view
from migsafe.sql import actions as A

RULE = Rule(
    id="rename-column",
    severity="warning",
    summary="Renaming a column breaks application code that still uses the old name",
    fix="Expand and contract: add the new column, keep both in sync (trigger) and backfill, deploy code that "
        "uses the new name, then drop the old column in a later release.",
)


def _message(table: A.QName, old: str, new: str) -> str:
    return (f"renames column {old!r} of table {table} to {new!r}: a brief ACCESS EXCLUSIVE lock (no rewrite), "
            f"but running code that still uses {old!r} fails with 'column does not exist' until the new release "
            "is deployed")


@RULE.check
def check(view: RevisionView) -> Iterator[Hit]:
    for statement, action in view.actions(A.RenameColumn):
        if column_added_in_this_deploy(view, statement, action.table, action.column):
            continue
        if column_name_restored(view, statement, action.table, action.column):
            continue
        if table_renamed_with_it(view, statement, action.table):
            continue
        yield view.hit(statement, _message(action.table, action.column, action.new_name),
                       key=("column", action.table, action.column))
    yield from _batch_recreate_renames(view)


def table_renamed_with_it(view: RevisionView, statement: Statement, table: A.QName) -> bool:
    """True when the table itself is renamed by this deploy, with no view left under its old name: before the
    statement (it got its current name from a rename shipping with this revision), or after it in the same
    transaction (other sessions never see the column renamed under the old table name). Running code queries
    the table by its old name and fails with 'relation does not exist' whatever its columns are called (the
    table's rename is reported, as rename-table); the code that knows the new table name is the new release,
    which knows the new column name too."""
    known = view.table_before(statement, table)
    if known is not None and view.made_in_this_deploy(known.named_in):
        rename = _rename_into(view, statement, table)
        return rename is not None and not _old_name_kept_as_view(view.view_of(rename[0]), rename[1], rename[2])
    if statement.transaction is None or view.revision.direction != "upgrade":
        return False
    for later in view.later_in_transaction(statement):
        for action in later.actions:
            if isinstance(action, A.RenameTable) and action.table == table and not later.operation.batch_recreate:
                owner = next((r for r in view.history if any(s is later for s in r.statements)), view.revision)
                return not _old_name_kept_as_view(view.view_of(owner), later, table)
    return False


def _rename_into(view: RevisionView, statement: Statement,
                 table: A.QName) -> tuple[RecordedRevision, Statement, A.QName] | None:
    """The last ``RENAME TO table`` before ``statement`` in the revisions of this deploy: (its revision, its
    statement, the table's old name)."""
    found = None
    for revision in view.history:
        if not view.in_deploy(revision.revision):
            continue
        for other in revision.statements:
            if other is statement:
                return found
            if other.operation.batch_recreate:
                continue  # batch_alter_table(recreate="always") renames its copy to the table's own name
            for action in other.actions:
                if isinstance(action, A.RenameTable) and A.QName(action.table.schema, action.new_name) == table:
                    found = (revision, other, action.table)
    return found


def _batch_recreate_renames(view: RevisionView) -> Iterator[Hit]:
    """``batch_op.alter_column(..., new_column_name=...)`` in a ``recreate="always"`` block emits no RENAME:
    the copy-and-swap copies the old column into a new table under the new name, which breaks running code
    just the same. The finding goes on the block's DROP of the old table (the ``with`` line)."""
    owner: RecordedOperation | None = None
    for operation in view.revision.operations:
        if operation.name == "batch_alter_table":
            owner = operation
            continue
        new_name = operation.new_column_name
        if owner is None or not operation.batch_recreate or operation.name != "alter_column" or not new_name:
            continue
        drop = _old_table_drop(view, owner)
        if drop is None:
            continue
        statement, table = drop
        old = operation.column_name
        if old is not None and column_added_in_this_deploy(view, statement, table, old):
            continue
        if table_renamed_with_it(view, statement, table):
            continue
        yield view.hit(statement, _message(table, old, new_name), key=("column", table, old))


def _old_table_drop(view: RevisionView, owner: RecordedOperation) -> tuple[Statement, A.QName] | None:
    for statement in view.statements:
        if statement.operation is not owner:
            continue
        for action in statement.actions:
            if isinstance(action, A.DropTable) and action.table.name == owner.batch_table:
                return statement, action.table
    return None
