"""index-not-concurrent: ``CREATE INDEX`` without ``CONCURRENTLY`` on a table that already holds rows."""

from __future__ import annotations

from typing import Iterator

from migsafe.rules.base import Hit, RevisionView, Rule
from migsafe.sql import actions as A

RULE = Rule(
    id="index-not-concurrent",
    severity="error",
    summary="CREATE INDEX without CONCURRENTLY blocks writes to the table for the whole index build",
    fix="Build the index with `op.create_index(..., postgresql_concurrently=True)` inside "
        "`with op.get_context().autocommit_block():` (CONCURRENTLY cannot run in a transaction).",
)


def _describe(action: A.CreateIndex) -> str:
    """``CREATE INDEX ON t (c)`` is legal: PostgreSQL picks the name, so the message cannot give one."""
    kind = "unique index" if action.unique else "index"
    return f"{kind} {action.name}" if action.name is not None else f"an unnamed {kind}"


@RULE.check
def check(view: RevisionView) -> Iterator[Hit]:
    for statement, action in view.actions(A.CreateIndex):
        if action.concurrently:
            continue
        # A table created in this deploy has no rows and no readers yet, and a relation created earlier in the
        # same transaction (a materialized view filled by its query included) is invisible to every other
        # session until the commit: the lock costs nothing.
        if view.holds_no_rows(statement, action.table) or view.created_in_transaction(statement, action.table):
            continue
        # batch_alter_table(recreate="always") copies the whole table under ACCESS EXCLUSIVE anyway; the
        # index builds are part of that copy, which has its own finding.
        if statement.operation.batch_recreate:
            continue
        known = view.table_before(statement, action.table)
        if known is not None and known.kind == "matview":
            message = (f"creates {_describe(action)} on materialized view {action.table} without CONCURRENTLY: "
                       "takes a SHARE lock on the view for the whole index build, so a REFRESH waits until it "
                       "finishes, and queries on the view queue behind that waiting REFRESH")
        else:
            message = (f"creates {_describe(action)} on table {action.table} without CONCURRENTLY: takes a SHARE "
                       "lock on the table for the whole index build, so every INSERT, UPDATE and DELETE waits "
                       "until it finishes")
        yield view.hit(statement, message, key=("index", action.table, action.name))
