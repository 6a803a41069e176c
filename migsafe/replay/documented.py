"""Locks PostgreSQL documents for statements that ran outside a transaction.

A statement in autocommit mode (``CREATE INDEX CONCURRENTLY``, anything inside ``autocommit_block()``) has
released its locks by the time the tracer can look, so for those the report shows what the documentation
says the statement takes, and marks them as documented rather than observed.
"""

from __future__ import annotations

from migsafe.replay.model import LockObservation
from migsafe.sql import actions as A
from migsafe.sql.analysis import parse


def documented_locks(sql: str, existing: set[str]) -> list[LockObservation]:
    locks: list[LockObservation] = []
    for statement in parse(sql):
        for action in statement.actions:
            for relation, kind, mode in _locks_for(action):
                name = str(relation)
                locks.append(LockObservation(relation=name, kind=kind, mode=mode, acquired=True,
                                             existing=name in existing))
    return locks


def _locks_for(action: A.Action) -> list[tuple[A.QName, str, str]]:
    if isinstance(action, A.CreateIndex):
        mode = "ShareUpdateExclusiveLock" if action.concurrently else "ShareLock"
        return [(action.table, "table", mode)]
    if isinstance(action, A.DropIndex):
        mode = "ShareUpdateExclusiveLock" if action.concurrently else "AccessExclusiveLock"
        return [(action.name, "index", mode)]
    if isinstance(action, A.ValidateConstraint):
        return [(action.table, "table", "ShareUpdateExclusiveLock")]
    if isinstance(action, A.AddConstraint) and action.constraint.kind == "foreign_key":
        locks = [(action.table, "table", "ShareRowExclusiveLock")]
        if action.constraint.references is not None:
            locks.append((action.constraint.references, "table", "ShareRowExclusiveLock"))
        return locks
    if isinstance(action, A.DataChange):
        return [(action.table, "table", "RowExclusiveLock")]
    if isinstance(action, A.DetachPartition) and action.concurrently:
        # Two internal transactions: SHARE UPDATE EXCLUSIVE on the parent, ACCESS EXCLUSIVE on the partition.
        return [(action.table, "table", "ShareUpdateExclusiveLock"), (action.partition, "table", "AccessExclusiveLock")]
    table = getattr(action, "table", None)
    if isinstance(table, A.QName) and not isinstance(action, A.CreateTable):
        return [(table, "table", "AccessExclusiveLock")]  # most ALTER TABLE forms, DROP TABLE, renames
    return []
