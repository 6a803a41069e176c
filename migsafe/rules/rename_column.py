"""rename-column: renaming a column that running application code still uses under its old name."""

from __future__ import annotations

from typing import Iterator

from migsafe.model import RecordedOperation, Statement
from migsafe.rules.base import Hit, RevisionView, Rule
from migsafe.rules.drop_table import column_added_in_this_deploy, column_name_restored
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
        yield view.hit(statement, _message(action.table, action.column, action.new_name),
                       key=("column", action.table, action.column))
    yield from _batch_recreate_renames(view)


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
        yield view.hit(statement, _message(table, old, new_name), key=("column", table, old))


def _old_table_drop(view: RevisionView, owner: RecordedOperation) -> tuple[Statement, A.QName] | None:
    for statement in view.statements:
        if statement.operation is not owner:
            continue
        for action in statement.actions:
            if isinstance(action, A.DropTable) and action.table.name == owner.batch_table:
                return statement, action.table
    return None
