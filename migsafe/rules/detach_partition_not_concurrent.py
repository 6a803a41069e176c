"""detach-partition-not-concurrent: ``DETACH PARTITION`` without ``CONCURRENTLY`` on a live partitioned table.

Plain DETACH takes ACCESS EXCLUSIVE on the partitioned table and on the partition (checked on 15 with pg_locks;
a SELECT on the parent waits, one on a sibling partition does not). It is quick (no scan, no rewrite), but the
lock request queues every later query on the parent behind any long-running one: a brief-lock warning. 14+ has
``DETACH PARTITION ... CONCURRENTLY`` (SHARE UPDATE EXCLUSIVE on the parent), which cannot run in a transaction
block and cannot be used while the table has a default partition. Before 14 there is nothing better, so the
finding stays with a lock_timeout fix.
"""

from __future__ import annotations

from typing import Iterator

from migsafe.pg_locks import SUGGESTED_LOCK_TIMEOUT
from migsafe.rules.base import Hit, RevisionView, Rule
from migsafe.sql import actions as A

RULE = Rule(
    id="detach-partition-not-concurrent",
    severity="warning",
    summary="DETACH PARTITION without CONCURRENTLY locks the whole partitioned table against reads and writes",
    fix="Detach with `op.execute(\"ALTER TABLE parent DETACH PARTITION child CONCURRENTLY\")` inside "
        "`with op.get_context().autocommit_block():` (PostgreSQL 14+, not while a default partition exists).",
)

_BEFORE_14_FIX = (
    "PostgreSQL before 14 has no DETACH CONCURRENTLY: run the detach in its own short migration after "
    f"`op.execute(\"SET LOCAL lock_timeout = '{SUGGESTED_LOCK_TIMEOUT}'\")`, so it gives up instead of queueing all "
    "traffic behind a long-running query, and retry the deploy if it times out."
)


@RULE.check
def check(view: RevisionView) -> Iterator[Hit]:
    before_14 = not view.pg_version.at_least(14)
    for statement, action in view.actions(A.DetachPartition):
        if action.concurrently or view.is_new_table(statement, action.table):
            continue
        message = (f"detaches partition {action.partition} from {action.table} without CONCURRENTLY: takes an "
                   f"ACCESS EXCLUSIVE lock on {action.table} and on the partition, so every query on the "
                   "partitioned table waits (and queues behind any long-running one) until the migration commits")
        if before_14:
            message += f"; PostgreSQL {view.pg_version} has no DETACH CONCURRENTLY"
        yield view.hit(statement, message, key=("partition", action.table, action.partition),
                       fix=_BEFORE_14_FIX if before_14 else None)
