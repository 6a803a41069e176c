"""reindex-not-concurrent: ``REINDEX`` without ``CONCURRENTLY`` on a live table.

Plain REINDEX takes SHARE on the table and ACCESS EXCLUSIVE on each index it rebuilds, held to the end (checked on
15 with pg_locks). The index lock blocks more than the documentation's "reads that use the index": planning any
query on the table opens all its indexes, so even a sequential-scan SELECT waits (checked on 15 from a second
session). ``REINDEX CONCURRENTLY`` (12+) takes SHARE UPDATE EXCLUSIVE instead. Before 12 there is no CONCURRENTLY,
but the statement blocks just the same: it is still reported, with the manual replacement as the fix.
"""

from __future__ import annotations

from typing import Iterator

from migsafe.model import Statement
from migsafe.rules.base import Hit, RevisionView, Rule
from migsafe.rules.table_rewrite_command import relation_created_here
from migsafe.sql import actions as A

RULE = Rule(
    id="reindex-not-concurrent",
    severity="error",
    summary="REINDEX without CONCURRENTLY blocks reads and writes on the table for the whole rebuild",
    fix="Use `REINDEX INDEX CONCURRENTLY ...` (PostgreSQL 12+), one statement per `op.execute()` inside "
        "`with op.get_context().autocommit_block():` (CONCURRENTLY cannot run in a transaction).",
)

_BEFORE_12_FIX = (
    "PostgreSQL before 12 has no REINDEX CONCURRENTLY: inside `with op.get_context().autocommit_block():` build a "
    "replacement with `op.create_index(\"ix_new\", ..., postgresql_concurrently=True)`, drop the old index with "
    "`op.drop_index(..., postgresql_concurrently=True)` and rename the new one (an index backing a constraint is "
    "swapped with `ADD CONSTRAINT ... USING INDEX`)."
)
_SYSTEM_FIX = ("System catalogs cannot be reindexed concurrently: run `REINDEX SYSTEM` in a maintenance window, "
               "not in a migration.")

# PostgreSQL runs these forms one table per transaction, so it refuses them inside a transaction block.
_REFUSED_IN_TRANSACTION = {"schema": "REINDEX SCHEMA", "database": "REINDEX DATABASE", "system": "REINDEX SYSTEM"}


def _message(view: RevisionView, statement: Statement, action: A.Reindex) -> str:
    if action.kind == "index":
        # REINDEX INDEX names no table: the schema model knows it when the history created the index.
        table = view.index_table(statement, action.relation) if action.relation is not None else None
        where = f"table {table}" if table is not None else "its table"
        return (f"REINDEX INDEX {action.relation} rebuilds the index under an ACCESS EXCLUSIVE lock on it and a SHARE "
                f"lock on {where}: writes wait for the whole rebuild, and so do reads (planning any query on the "
                "table opens all its indexes)")
    if action.kind == "table":
        return (f"REINDEX TABLE {action.relation} rebuilds every index of the table under a SHARE lock on it and an "
                "ACCESS EXCLUSIVE lock on each index: reads and writes on the table wait for the whole rebuild")
    where = f" {action.name}" if action.name else ""
    return (f"REINDEX {action.kind.upper()}{where} rebuilds every index of every table in it, each table's reads "
            "and writes waiting while its indexes are rebuilt")


def _created_here(view: RevisionView, statement: Statement, action: A.Reindex) -> bool:
    """A table or index this revision created holds no rows anyone reads yet: rebuilding it blocks nobody."""
    return action.relation is not None and relation_created_here(view, statement, action.relation)


@RULE.check
def check(view: RevisionView) -> Iterator[Hit]:
    before_12 = not view.pg_version.at_least(12)
    for statement, action in view.actions(A.Reindex):
        if action.concurrently or _created_here(view, statement, action):
            continue
        message = _message(view, statement, action)
        refused = _REFUSED_IN_TRANSACTION.get(action.kind)
        if refused and statement.in_transaction:
            message += (f"; inside the migration's transaction PostgreSQL refuses it (\"{refused} cannot run inside "
                        "a transaction block\") and the migration fails")
        fix = None
        if action.kind == "system":
            fix = _SYSTEM_FIX
        elif before_12:
            message += f"; PostgreSQL {view.pg_version} has no REINDEX CONCURRENTLY"
            fix = _BEFORE_12_FIX
        yield view.hit(statement, message, key=("reindex", action.kind, action.relation or action.name), fix=fix)
