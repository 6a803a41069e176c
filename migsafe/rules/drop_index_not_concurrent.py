"""drop-index-not-concurrent: ``DROP INDEX`` without ``CONCURRENTLY`` on a table that is in use."""

from __future__ import annotations

from typing import Iterator

from migsafe.model import Statement
from migsafe.rules.base import Hit, RevisionView, Rule
from migsafe.sql import actions as A
from migsafe.sql.locks import later_facts

RULE = Rule(
    id="drop-index-not-concurrent",
    severity="warning",
    summary="DROP INDEX without CONCURRENTLY takes an ACCESS EXCLUSIVE lock on the index's table",
    fix="Drop it with `op.drop_index(..., postgresql_concurrently=True)` inside "
        "`with op.get_context().autocommit_block():` (CONCURRENTLY cannot run in a transaction).",
)


@RULE.check
def check(view: RevisionView) -> Iterator[Hit]:
    for statement, action in view.actions(A.DropIndex):
        if action.concurrently:
            continue
        if statement.operation.batch_recreate:
            continue
        # DROP INDEX names no table: the schema model knows it, else Alembic's table_name= (an index lives in
        # its table's schema). An index the model never saw sits on a table that exists in production.
        table = view.index_table(statement, action.name) or _named_table(statement, action)
        if table is None and action.if_exists and view.index_never_made(statement, action.name):
            continue  # absent in a database this history built: IF EXISTS finds nothing and locks nothing
        if table is not None and (view.is_new_table(statement, table)
                                  or view.created_in_transaction(statement, table)):
            continue  # a table no other session sees yet, or one no running code uses
        if table is not None and view.holds_access_exclusive(statement, table) is not None:
            # An earlier statement of the transaction (ADD COLUMN, SET NOT NULL, another DROP INDEX...) holds
            # ACCESS EXCLUSIVE on the table until commit: every other session waits for the table anyway, and
            # the drop, a catalog change, waits for nothing and blocks nothing more. CONCURRENTLY would shorten
            # no wait: that statement's lock is what to look at (missing-lock-timeout and its own rules).
            continue
        if table is not None and _table_dropped_next(view, statement, table):
            # autogenerate's drop_index(...) then drop_table(...): the DROP TABLE takes the same lock a moment
            # later and removes the index with the table. CONCURRENTLY would shorten no wait; drop-table and
            # missing-lock-timeout speak for that lock.
            continue
        where = f"table {table}" if table is not None else "its table"
        message = (f"drops index {action.name} without CONCURRENTLY: takes an ACCESS EXCLUSIVE lock on {where}, "
                   "so every query on it, reads included, waits behind the drop and behind whatever the drop "
                   "waits for")
        yield view.hit(statement, message, key=("index", action.name))


def _table_dropped_next(view: RevisionView, statement: Statement, table: A.QName) -> bool:
    """Whether the same transaction drops ``table`` later, with nothing slow (a scan, rewrite, index build or
    back-fill) between the index drop and the table drop."""
    if statement.transaction is None or not statement.in_transaction:
        return False
    for fact in later_facts(view, statement):
        if any(isinstance(action, A.DropTable) and action.table == table for action in fact.statement.actions):
            return True
        if fact.slow is not None:
            return False
    return False


def _named_table(statement: Statement, action: A.DropIndex) -> A.QName | None:
    name = statement.operation.index_table
    return A.QName(action.name.schema, name) if name else None
