"""lock-table: an explicit ``LOCK TABLE`` in a migration.

The lock is held until the migration's transaction commits, through every statement after it (with Alembic's
default of one transaction for the whole upgrade, through the later revisions too), and while it waits for
running queries it makes every later query on the table queue behind it. What it blocks depends on the mode:
ACCESS EXCLUSIVE (the default) blocks reads and writes; EXCLUSIVE, SHARE ROW EXCLUSIVE and SHARE block writes.
Those are warnings. The weaker modes block only schema changes and other explicit locks: info. Outside a
transaction block PostgreSQL refuses LOCK TABLE outright, which fails the migration: an error.
"""

from __future__ import annotations

from typing import Iterator

from migsafe.model import Statement
from migsafe.pg_locks import blocks, strength
from migsafe.rules.base import Hit, RevisionView, Rule
from migsafe.rules.drop_table import created_in_this_deploy
from migsafe.rules.missing_lock_timeout import lock_timeout_in_effect
from migsafe.sql import actions as A
from migsafe.sql.locks import later_facts

RULE = Rule(
    id="lock-table",
    severity="warning",
    summary="LOCK TABLE holds a table lock until the migration's transaction commits; strong modes block traffic",
    fix="Drop the LOCK TABLE and let each statement take the lock it needs; if you need it (to order locks and "
        "avoid deadlocks), set `lock_timeout` first and keep the statements after it in that transaction short.",
)

# LOCK TABLE's own spelling of each mode, for messages a reader can match against the SQL.
SQL_MODES = {
    "AccessShareLock": "ACCESS SHARE",
    "RowShareLock": "ROW SHARE",
    "RowExclusiveLock": "ROW EXCLUSIVE",
    "ShareUpdateExclusiveLock": "SHARE UPDATE EXCLUSIVE",
    "ShareLock": "SHARE",
    "ShareRowExclusiveLock": "SHARE ROW EXCLUSIVE",
    "ExclusiveLock": "EXCLUSIVE",
    "AccessExclusiveLock": "ACCESS EXCLUSIVE",
}


# What the modes that let reads and writes through still block (from the conflict table).
WEAK_MODE_BLOCKS = {
    "AccessShareLock": "ALTER TABLE, DROP, TRUNCATE and VACUUM FULL",
    "RowShareLock": "ALTER TABLE, DROP, TRUNCATE and REFRESH ... CONCURRENTLY",
    "RowExclusiveLock": "CREATE INDEX (without CONCURRENTLY), ALTER TABLE, DROP and TRUNCATE",
    "ShareUpdateExclusiveLock": "VACUUM, ANALYZE, CREATE INDEX (even CONCURRENTLY), VALIDATE CONSTRAINT, ALTER "
                                "TABLE and DROP",
}


def _what_it_blocks(mode: str) -> tuple[str, str | None]:
    """(what the lock blocks, in words; the severity override: None keeps the rule's warning)."""
    b = blocks(mode)
    if b.reads:
        return "blocks every read and write of it", None
    if b.writes:
        return "blocks every INSERT, UPDATE and DELETE on it (reads still work)", None
    blocked = WEAK_MODE_BLOCKS.get(mode, "schema changes")
    return f"lets reads and writes through and blocks only {blocked} on it", "info"


def _held(view: RevisionView, statement: Statement) -> str:
    later = sum(1 for _ in view.later_in_transaction(statement))
    if later == 0:
        return "until the transaction commits"
    return f"until the transaction commits, through the {later} statement{'s' if later > 1 else ''} after it"


def _bounded_and_brief(view: RevisionView, statement: Statement, actions: list[A.LockTable]) -> bool:
    """The careful pattern: take the lock first with a bounded wait (NOWAIT, or a lock_timeout in effect), then
    a statement that needs that lock anyway (ALTER TABLE on the table), and only quick statements (catalog
    changes: no scan, rewrite, index build or back-fill) until the transaction ends; usually in a retry loop
    (``LOCK TABLE t IN ACCESS EXCLUSIVE MODE NOWAIT`` then ``ALTER TABLE t ADD COLUMN ...``). The wait cannot
    queue traffic for longer than the bound, and the hold lasts as long as the quick statements, which need the
    lock anyway: the LOCK TABLE adds nothing to block. A bounded lock nothing after it needs has no purpose but
    blocking, and is still reported."""
    if not (all(a.nowait for a in actions) or lock_timeout_in_effect(view, statement)):
        return False
    if statement.transaction is None:
        return False
    later = later_facts(view, statement)
    locked = {a.table for a in actions}
    needs_it = any(strength(lock.mode) >= strength(actions[0].mode) and lock.table in locked
                   for fact in later for lock in fact.strong)
    return needs_it and all(fact.slow is None for fact in later)


@RULE.check
def check(view: RevisionView) -> Iterator[Hit]:
    for statement in view.statements:
        actions = [a for a in statement.actions if isinstance(a, A.LockTable)]
        if not actions:
            continue
        mode = actions[0].mode  # one LOCK statement has one mode for all its tables
        names = ", ".join(str(a.table) for a in actions)
        if not statement.in_transaction:
            yield view.hit(statement,
                           f"locks {names} outside a transaction block: PostgreSQL refuses with 'LOCK TABLE can "
                           "only be used in transaction blocks' and the migration fails",
                           key=("lock", *(a.table for a in actions)), severity="error",
                           fix="Move the LOCK TABLE out of the autocommit block, into the statements it is meant "
                               "to protect, or drop it.")
            continue
        existing = [a.table for a in actions if not created_in_this_deploy(view, statement, a.table)]
        if not existing or _bounded_and_brief(view, statement, actions):
            continue
        what, severity = _what_it_blocks(mode)
        plural = "s" if len(existing) > 1 else ""
        yield view.hit(statement,
                       f"locks table{plural} {', '.join(str(t) for t in existing)} in {SQL_MODES.get(mode, mode)} "
                       f"mode {_held(view, statement)}: the lock {what}",
                       key=("lock", *existing), severity=severity)
