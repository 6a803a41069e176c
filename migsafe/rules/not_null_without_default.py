"""not-null-without-default: adding a NOT NULL column with no server default to a table that holds rows.

PostgreSQL has nothing to put in the existing rows but NULL, so the ALTER TABLE aborts with ``column "x" of
relation "t" contains null values``: the deploy fails halfway. Columns that fill every row themselves
(serial, identity, generated) are left to their own rule.
"""

from __future__ import annotations

from typing import Iterator

from migsafe.rules.base import Hit, RevisionView, Rule
from migsafe.sql import actions as A

RULE = Rule(
    id="not-null-without-default",
    severity="error",
    summary="Adding a NOT NULL column without a server default fails on a table that has rows",
    fix="Give the column a server default (`server_default=...`; on PostgreSQL 11+ a non-volatile default needs "
        "no rewrite), or add it nullable, backfill it in batches, and make it NOT NULL later through a "
        "`CHECK (col IS NOT NULL) NOT VALID` constraint validated in a later transaction.",
)


@RULE.check
def check(view: RevisionView) -> Iterator[Hit]:
    for statement, action in view.actions(A.AddColumn):
        column = action.column
        # A default other than DEFAULT NULL fills the existing rows; serial, identity and generated columns
        # compute a value for each (the cost of that is another rule's business).
        if not column.not_null or not column.leaves_rows_null:
            continue
        # Emptied by TRUNCATE in this transaction; a table that is empty only because an earlier NOT NULL column
        # would have failed on its rows does not count (both statements are wrong the same way).
        if view.holds_no_rows(statement, action.table, proven_by_failure=False):
            continue
        yield view.hit(
            statement,
            f"adds column {column.name!r} to table {action.table} as NOT NULL without a default: as soon as the "
            f"table has a row, PostgreSQL aborts the migration with 'column \"{column.name}\" of relation "
            f"\"{action.table.name}\" contains null values'",
            key=("column", action.table, column.name),
        )
