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
        # A table created in this revision has no rows and no readers yet: the lock costs nothing.
        if view.is_new_table(statement, action.table):
            continue
        # batch_alter_table(recreate="always") copies the whole table under ACCESS EXCLUSIVE anyway; the
        # index builds are part of that copy, which has its own finding.
        if statement.operation.batch_recreate:
            continue
        yield view.hit(
            statement,
            f"creates {_describe(action)} on table {action.table} without CONCURRENTLY: takes a SHARE lock on "
            "the table for the whole index build, so every INSERT, UPDATE and DELETE waits until it finishes",
            key=("index", action.table, action.name),
        )
