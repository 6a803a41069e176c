"""table-rewrite-command: a command whose whole job is to copy a live table into new files.

``VACUUM FULL``, ``CLUSTER``, ``ALTER TABLE ... SET TABLESPACE``, ``SET LOGGED`` / ``SET UNLOGGED`` rewrite the
table under ACCESS EXCLUSIVE (checked on 15: the relfilenode changes and pg_locks shows AccessExclusiveLock;
``VACUUM FULL`` and a bare ``CLUSTER`` refuse to run inside a transaction block, ``CLUSTER table`` does not).
Alembic's ``batch_alter_table(recreate="always")`` does the same by hand: CREATE a copy, INSERT ... SELECT every
row, DROP the original, RENAME the copy. Its batch_op calls emit nothing themselves; the copy runs when the
``with`` block exits and is attributed to the ``with`` line, so it is reported once per block, there.
"""

from __future__ import annotations

from typing import Iterator

from migsafe.model import Statement
from migsafe.rules.base import Hit, RevisionView, Rule
from migsafe.sql import actions as A

RULE = Rule(
    id="table-rewrite-command",
    severity="error",
    summary="VACUUM FULL, CLUSTER, SET TABLESPACE, SET LOGGED/UNLOGGED or a batch recreate copies the whole table "
            "under an ACCESS EXCLUSIVE lock",
    fix="Keep table maintenance out of migrations: run pg_repack against the live table (or `REPACK "
        "(CONCURRENTLY)` on PostgreSQL 19+), which holds ACCESS EXCLUSIVE only for a moment at the end; use plain "
        "`op.*` calls instead of `batch_alter_table(recreate=\"always\")`.",
)

_BATCH_FIX = ("PostgreSQL alters tables in place: drop `recreate=\"always\"` (the default, \"auto\", never copies "
              "on PostgreSQL) or use plain `op.add_column` / `op.alter_column` calls, each checked on its own.")

# The error PostgreSQL raises when the command is sent inside BEGIN ... COMMIT.
_REFUSED_IN_TRANSACTION = {"VACUUM FULL": "VACUUM cannot run inside a transaction block",
                           "CLUSTER": "CLUSTER cannot run inside a transaction block"}


def relation_created_here(view: RevisionView, statement: Statement, relation: A.QName) -> bool:
    """True when an earlier statement of this revision created ``relation`` (a table, or an index on a table
    this revision created), so nobody reads it yet.

    For actions that carry no schema snapshot of their target (``REINDEX INDEX``, ``ALTER INDEX ... SET
    TABLESPACE``): the recorder snapshots ``table`` fields only.
    """
    created = False
    for earlier in view.statements:
        if earlier is statement:
            break
        for action in earlier.actions:
            if isinstance(action, A.CreateTable) and action.table == relation:
                created = not action.as_select
            elif isinstance(action, A.CreateIndex) and action.name == relation:
                created = view.is_new_table(earlier, action.table)
            elif isinstance(action, A.DropTable) and action.table == relation:
                created = False
    return created


def _target(action: A.RewriteTable) -> str:
    if action.index is not None:
        return f"index {action.index}"
    if action.table is not None:
        return f"table {action.table}"
    return {"VACUUM FULL": "every table of the database",
            "CLUSTER": "every table clustered before",
            }.get(action.command, "every table in the tablespace")


def _lock_effect(action: A.RewriteTable) -> str:
    if action.index is not None:
        # Checked on 15: even a sequential-scan SELECT on the table waits, because planning opens every index.
        return ("under an ACCESS EXCLUSIVE lock on the index, which blocks every query on its table (planning "
                "opens all of a table's indexes) until the copy ends")
    if action.table is None:
        return "each under an ACCESS EXCLUSIVE lock that blocks its reads and writes until its copy ends"
    return "under an ACCESS EXCLUSIVE lock that blocks reads and writes until the copy ends"


def _command_hit(view: RevisionView, statement: Statement) -> Hit | None:
    """One finding per statement (``VACUUM FULL a, b`` is one statement), naming every live target."""
    live = []
    for action in statement.actions:
        if not isinstance(action, A.RewriteTable):
            continue
        if action.table is not None and view.holds_no_rows(statement, action.table):
            continue
        if action.index is not None and relation_created_here(view, statement, action.index):
            continue
        live.append(action)
    if not live:
        return None
    first = live[0]
    targets = ", ".join(dict.fromkeys(_target(a) for a in live))
    message = f"{first.command} on {targets} copies it into new files {_lock_effect(first)}"
    refusal = _REFUSED_IN_TRANSACTION.get(first.command)
    if refusal and statement.in_transaction and (first.command == "VACUUM FULL" or first.table is None):
        message += f"; inside the migration's transaction PostgreSQL refuses it (\"{refusal}\") and the migration fails"
    key = ("rewrite", first.table or first.index or first.command)
    return view.hit(statement, message, key=key)


def _batch_hits(view: RevisionView) -> Iterator[Hit]:
    """``batch_alter_table(recreate="always")``: one finding per block, on its DROP of the original table
    (attributed, like the whole copy, to the ``with`` line)."""
    reported: set[int] = set()
    for statement in view.statements:
        operation = statement.operation
        if not operation.batch_recreate or operation.name != "batch_alter_table" or id(operation) in reported:
            continue
        for action in statement.actions:
            if not (isinstance(action, A.DropTable) and action.table.name == operation.batch_table):
                continue
            reported.add(id(operation))
            if view.holds_no_rows(statement, action.table):
                break
            yield view.hit(
                statement,
                f"batch_alter_table(recreate=\"always\") copies every row of table {action.table} into a new table "
                "and drops the original: rows other sessions write during the copy are lost with the old table, "
                "and the DROP's ACCESS EXCLUSIVE lock then blocks all reads and writes until the migration commits",
                key=("rewrite", action.table),
                fix=_BATCH_FIX,
            )
            break


@RULE.check
def check(view: RevisionView) -> Iterator[Hit]:
    for statement in view.statements:
        hit = _command_hit(view, statement)
        if hit is not None:
            yield hit
    yield from _batch_hits(view)
