"""backfill-in-transaction: a data back-fill on a live table inside the migration's DDL transaction.

A back-fill (UPDATE, DELETE, INSERT ... SELECT, or a loop over rows writing them back through
``op.get_bind()`` or an ORM session) runs for as long as the table is big, and inside Alembic's transaction:
every row it changes stays locked against other writers until the migration commits, and every lock the
migration took before it — the ACCESS EXCLUSIVE of an ADD COLUMN, the SHARE of a CREATE INDEX — is held for
the whole back-fill, so the table is down for that long. A failure near the end rolls everything back.

Not back-fills, and not reported: ``INSERT ... VALUES`` and ``op.bulk_insert`` (a few seed or lookup rows),
``INSERT ... SELECT`` of constants (no table read), changes to a table created in the same revision (it has
no rows and nobody else can see it), and statements outside a transaction (inside
``op.get_context().autocommit_block()``: each commits on its own). A back-fill hidden in a ``DO $$ ... $$``
block is found by parsing its PL/pgSQL body (dynamic ``EXECUTE`` strings are not followed).

Offline there are no rows; the recording answers each line's first read as if rows existed (see
:mod:`migsafe.recording.bind`), so a Python loop over query results runs once and its writes are recorded and
reported like any other. When they were not recorded (the placeholder rows broke the loop, and the revision was
recorded again with no rows) and ``upgrade()`` reads rows of a live table through the connection and has a
``for`` loop that writes (``execute``, ``add``, ``merge``, ``flush``, an attribute assignment on the loop
variable), the read is reported as the start of a row-by-row back-fill.

One finding per table per transaction, on its first recorded back-fill statement (on the read only when the
writes were not recorded). Severity: warning, raised to error
when the back-fill is unbatched (UPDATE or DELETE without WHERE: every row in one statement) or when the
same transaction takes a strong lock (SHARE and up) on a live table, which then blocks traffic for the whole
back-fill. With one transaction per ``alembic upgrade``, the transaction spans the revisions of one deploy
(:mod:`migsafe.deploy`), never the history's base revision or the next deploy; the lock is cited where it
is taken.
"""

from __future__ import annotations

import re

import ast as pyast
from dataclasses import dataclass, replace
from typing import Iterator

from pglast import ast
from pglast.enums import SetOperation

from migsafe.model import Statement
from migsafe.pg_locks import strength
from migsafe.rules.base import Hit, RevisionView, Rule
from migsafe.sql import actions as A
from migsafe.sql.analysis import catalog_query, result_shape
from migsafe.sql.locks import (TableLock, mode_name, select_sources, statement_parts, table_holds_no_rows,
                                 table_is_new, transaction_facts)

RULE = Rule(
    id="backfill-in-transaction",
    severity="warning",
    summary="A data back-fill inside the migration's transaction keeps its row locks, and every lock the "
            "migration holds, for the whole back-fill",
    fix="Move the back-fill to its own revision and run it in batches (`UPDATE ... WHERE id BETWEEN ...`) inside "
        "`with op.get_context().autocommit_block():`, so each batch commits on its own and no DDL lock is held "
        "while it runs; or run it from a script between deploys.",
)

_KINDS = {"UPDATE": "updates", "DELETE": "deletes", "INSERT_SELECT": "copies"}

# Calls inside a loop body that write through a connection or an ORM session.
_WRITE_CALLS = frozenset({"execute", "exec_driver_sql", "add", "add_all", "merge", "delete", "flush", "commit",
                          "bulk_update_mappings", "bulk_insert_mappings", "bulk_save_objects", "update"})


@dataclass(frozen=True)
class _Backfill:
    statement: Statement
    table: A.QName
    description: str
    unbatched: bool
    inferred: bool = False  # a read followed by a writing loop, whose writes may not have been recorded


@RULE.check
def check(view: RevisionView) -> Iterator[Hit]:
    # Parsing the revision's Python is only worth it when it reads rows through the connection.
    loops = _write_loops(view) if any(s.source == "bind" and isinstance(s.node, ast.SelectStmt)
                                      for s in view.statements) else []
    groups: dict[tuple[int | None, A.QName], list[_Backfill]] = {}
    for statement in view.statements:
        if statement.in_transaction:
            for backfill in _backfills(view, statement, loops):
                groups.setdefault((statement.transaction, backfill.table), []).append(backfill)
    # One finding per table per transaction, on the first back-fill; unbatched if any of them is.
    for group in groups.values():
        # The writes themselves, when the loop ran, rather than the read that feeds them.
        group = [b for b in group if not b.inferred] or group
        first = group[0]
        if not first.unbatched and any(b.unbatched for b in group[1:]):
            first = replace(first, unbatched=True, description=first.description + ", and a later statement "
                            "changes every row of it without a WHERE")
        yield _hit(view, first)


def _one_row_at_most(node: object) -> bool:
    """An ``INSERT ... SELECT`` whose SELECT has no FROM list (and no UNION) inserts one row or none, whatever
    its WHERE reads (``SELECT 'test', ... WHERE NOT EXISTS (SELECT 1 FROM t WHERE id = 'test')``, the
    idempotent seed row): it copies no existing data and holds no lock longer than one insert."""
    select = getattr(node, "selectStmt", None)
    return (isinstance(select, ast.SelectStmt) and select.op == SetOperation.SETOP_NONE
            and select.fromClause is None and select.valuesLists is None)


def _backfills(view: RevisionView, statement: Statement, loops: list[tuple[int, int]]) -> Iterator[_Backfill]:
    for action, node in statement_parts(statement):
        if isinstance(action, A.DataChange) and action.kind in _KINDS:
            if table_is_new(view, statement, action.table):
                continue
            if action.kind in ("UPDATE", "DELETE") and table_holds_no_rows(view, statement, action.table):
                continue  # emptied earlier in this transaction, under a lock that keeps it so: no row to change
            if action.kind == "INSERT_SELECT" and (not select_sources(node, statement.default_schema)
                                                   or _one_row_at_most(node)):
                continue  # INSERT ... SELECT <constants> (guarded by WHERE NOT EXISTS or not): seed rows
            if action.kind == "INSERT_SELECT":
                what = f"copies rows into table {action.table} with INSERT ... SELECT"
            elif action.has_where:
                what = f"{_KINDS[action.kind]} rows of table {action.table}"
            else:
                what = f"{_KINDS[action.kind]} every row of table {action.table} in one statement (no WHERE)"
            if statement.node is not node:
                what += " (in a DO block)"
            yield _Backfill(statement, action.table, what,
                            unbatched=action.kind in ("UPDATE", "DELETE") and not action.has_where)
    loop = _loop_over_rows(view, statement, loops)
    if loop is not None:
        table, line = loop
        where = "" if line == statement.line else f" in the loop at line {line}"
        yield _Backfill(statement, table,
                        f"reads the rows of table {table} through the connection and writes them back{where}, one "
                        "by one (the loop's writes were not recorded: it did not write on the made-up row the "
                        "review answered)",
                        unbatched=False, inferred=True)


def _hit(view: RevisionView, backfill: _Backfill) -> Hit:
    statement = backfill.statement
    found, before = _strong_lock(view, statement, backfill.table)
    if found is None:
        return view.hit(
            statement,
            f"{backfill.description} inside the migration's transaction: every row it changes stays locked against "
            "other writers, and every lock the migration took is held, until the migration commits",
            key=("backfill", statement.transaction, backfill.table),
            severity="error" if backfill.unbatched else None,
        )
    lock, taker = found
    where = view.where(taker)
    mode = mode_name(lock.mode)
    if before:
        message = (f"{backfill.description} inside the migration's transaction, while it holds the {mode} lock on "
                   f"{lock.describe()} taken at {where}: {_blocked(lock)} of that table wait for the whole "
                   "back-fill, and every row it changes stays locked until the migration commits")
    else:
        message = (f"{backfill.description} inside the migration's transaction, which then takes {_article(mode)} "
                   f"{mode} lock on {lock.describe()} ({where}): every row the back-fill changed stays locked "
                   "against other writers until that lock is granted and the migration commits, and a failure "
                   "there rolls the whole back-fill back")
    return view.hit(statement, message, key=("backfill", statement.transaction, backfill.table), severity="error")


def _article(words: str) -> str:
    return "an" if words[:1] in "AEIOU" else "a"


def _blocked(lock: TableLock) -> str:
    return "reads and writes" if lock.mode == "AccessExclusiveLock" else "writes"


def _strong_lock(view: RevisionView, statement: Statement,
                 table: A.QName) -> tuple[tuple[TableLock, Statement] | None, bool]:
    """The strong lock on a live table that the transaction holds during the back-fill (taken before it or by
    the same statement), else the first one it takes after it; and whether it was before.

    The finding is about this revision, so it cites this revision's own lock when it takes one: an earlier
    revision's lock (one deploy, one transaction) only when it takes none. Then the strongest, then one on the
    back-filled table itself (that is the lock its own readers and writers wait on)."""
    facts = transaction_facts(view, statement.transaction) if statement.transaction is not None else []
    position = next((i for i, fact in enumerate(facts) if fact.statement is statement), len(facts) - 1)
    own = {id(s) for s in view.statements}
    held = [(lock, fact.statement) for fact in facts[:position + 1] for lock in fact.strong]
    if held:
        # max() keeps the first of equals: the earliest such lock.
        return max(held, key=lambda found: (id(found[1]) in own, strength(found[0].mode),
                                            found[0].table == table)), True
    later = [fact for fact in facts[position + 1:] if fact.strong]
    taker = next((fact for fact in later if id(fact.statement) in own), later[0] if later else None)
    return ((taker.strong[0], taker.statement) if taker is not None else None), False


# -- Python loops over query results ---------------------------------------------------------------------------

def _write_loops(view: RevisionView) -> list[tuple[int, int]]:
    """First and last lines of the ``for`` loops in ``upgrade()`` whose body writes through a connection or
    session."""
    try:
        tree = pyast.parse("\n".join(view.revision.source_lines))
    except (SyntaxError, ValueError):
        return []
    upgrade = next((n for n in tree.body if isinstance(n, (pyast.FunctionDef, pyast.AsyncFunctionDef))
                    and n.name == "upgrade"), None)
    if upgrade is None:
        return []
    return sorted((node.lineno, node.end_lineno or node.lineno) for node in pyast.walk(upgrade)
                  if isinstance(node, (pyast.For, pyast.AsyncFor)) and _writes(node))


def _writes(loop: pyast.For | pyast.AsyncFor) -> bool:
    targets = {n.id for n in pyast.walk(loop.target) if isinstance(n, pyast.Name)}
    for statement in loop.body:
        for node in pyast.walk(statement):
            if isinstance(node, pyast.Call) and isinstance(node.func, pyast.Attribute) \
                    and node.func.attr in _WRITE_CALLS:
                return True
            if isinstance(node, (pyast.Assign, pyast.AugAssign)):
                assigned = node.targets if isinstance(node, pyast.Assign) else [node.target]
                for target in assigned:
                    if isinstance(target, (pyast.Attribute, pyast.Subscript)) and any(
                            isinstance(n, pyast.Name) and n.id in targets for n in pyast.walk(target)):
                        return True
    return False


def _loop_over_rows(view: RevisionView, statement: Statement,
                    loops: list[tuple[int, int]]) -> tuple[A.QName, int] | None:
    """(table, loop line) when ``statement`` reads rows of a live table through the connection and a writing
    loop starts at or after its line, and the loop's body never ran (no statement recorded inside it): when it
    ran, its writes were recorded and are judged as themselves."""
    if statement.source != "bind" or not isinstance(statement.node, ast.SelectStmt) or not loops:
        return None
    if catalog_query(statement.sql):
        return None
    shape = result_shape(statement.sql)
    if shape is not None and shape[1] is not None:
        return None  # count(*) and friends: one row whatever the data, a guard rather than a loop's source
    loop = next(((first, last) for first, last in loops if first >= statement.line), None)
    if loop is None:
        return None
    line, last = loop
    if any(line < other.line <= last for other in view.statements):
        return None
    targets = _sql_write_targets(view.revision.source_lines[line - 1:last])
    for table in select_sources(statement.node, statement.default_schema):
        if targets and table.name.lower() not in targets:
            continue  # the loop's SQL writes other tables (a new grants table filled from these rows)
        if not table_holds_no_rows(view, statement, table):
            return table, line
    return None


# Upper-case SQL keywords only: a comment saying "update the grants" must not count as a write target.
_WRITE_TARGET = re.compile(r'\b(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+(?:"?\w+"?\.)?"?(\w+)"?')


_ORM_WRITE = re.compile(r"\.(?:add|add_all|merge|delete)\(|^\s*\w+\.\w+\s*=[^=]")


def _sql_write_targets(lines: list[str]) -> set[str]:
    """The tables SQL text in the loop's source writes (``INSERT INTO access_grant ...``), lower-cased; empty
    when it also writes through the ORM (``session.delete(row)``, ``row.name = ...``) or names no table: the
    loop is then taken to write its rows back."""
    if any(_ORM_WRITE.search(line) for line in lines):
        return set()
    return {match.group(1).lower() for line in lines for match in _WRITE_TARGET.finditer(line)}
