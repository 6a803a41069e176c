"""drop-column: dropping a column that running application code still reads or writes."""

from __future__ import annotations

from typing import Iterator

from migsafe.rules.base import Hit, RevisionView, Rule
from migsafe.rules.drop_table import column_added_in_this_deploy, column_name_restored
from migsafe.sql import actions as A

RULE = Rule(
    id="drop-column",
    severity="warning",
    summary="Dropping a column breaks application code that still uses it, and the data is gone",
    fix="Deploy code that no longer reads or writes the column first (for SQLAlchemy models, remove the "
        "attribute or mark it deferred), then drop the column in a later release.",
)


@RULE.check
def check(view: RevisionView) -> Iterator[Hit]:
    for statement, action in view.actions(A.DropColumn):
        if column_added_in_this_deploy(view, statement, action.table, action.column):
            continue
        if column_name_restored(view, statement, action.table, action.column, added_counts=False):
            continue
        if statement.operation.batch_recreate:
            continue
        if action.if_exists and view.column_never_made(statement, action.table, action.column):
            continue  # no revision made it: IF EXISTS drops nothing, and no code of this history used it
        if column_name_restored(view, statement, action.table, action.column):
            # Dropped and added again under the same name (a type change written as drop + add): at commit
            # running code finds the column; what is lost is every value in it.
            yield view.hit(
                statement,
                f"drops column {action.column!r} of table {action.table} and adds it again in the same transaction: "
                "running code still finds the column at commit, but every value stored in it is lost (the new "
                "column starts empty, or with its default)",
                key=("column", action.table, action.column),
                fix=_FIX_READDED,
            )
            continue
        yield view.hit(
            statement,
            f"drops column {action.column!r} of table {action.table}: takes an ACCESS EXCLUSIVE lock, and "
            "running code that still selects or inserts it fails until the new release is deployed",
            key=("column", action.table, action.column),
        )


_FIX_READDED = ("To change the column's type, alter it in place (`op.alter_column(..., type_=..., "
                "postgresql_using=...)`), which keeps the values (it may rewrite the table: see column-type-rewrite); "
                "if the values really should go, suppress this finding.")
