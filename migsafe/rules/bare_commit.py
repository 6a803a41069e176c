"""bare-commit: ``COMMIT`` (or ``ROLLBACK``) run by hand inside ``upgrade()``, outside an autocommit block.

People add ``op.execute("COMMIT")`` or ``op.get_bind().commit()`` to get past "cannot run inside a transaction
block". It ends the transaction Alembic opened for the revision: what ran before is permanent at once, what
runs after is in another transaction, and ``alembic_version`` is only updated at the very end. A failure after
the COMMIT leaves a half-applied revision that Alembic thinks was never run, and re-running it fails on the
part that was applied. A ROLLBACK is worse: it silently undoes the revision's work so far, and Alembic still
records the revision as applied.

psycopg2's ``connection.set_isolation_level(0)`` inside the transaction is that ROLLBACK too: psycopg2 sends it
before it switches to autocommit (the recorder records it as a ROLLBACK through the connection).

A COMMIT or ROLLBACK sent as SQL before the revision did any work in that transaction ends nothing of the
revision's (with one transaction per revision it is empty; with one for the whole upgrade, the earlier
revisions are committed with their alembic_version updates, as ``autocommit_block()`` would): not reported.
Nor is a COMMIT right before ``autocommit_block()``: the block commits the same work on entry.
``conn.commit()`` there is reported for another reason: SQLAlchemy 2 begins a transaction of its own on the
next statement, which Alembic's commit does not end, so in the last revision of a run what follows and the
version update are rolled back when env.py's ``connect()`` block closes (checked on PostgreSQL 15 with the
env.py Alembic generates) -- unless env.py commits the connection itself after ``run_migrations()``.

The recorder marks every statement run while no transaction is open (inside
``op.get_context().autocommit_block()``, after an earlier bare COMMIT with psycopg2, or once the connection
was switched to autocommit) with ``in_transaction == False``; a COMMIT there ends nothing and is not reported.
"""

from __future__ import annotations

import ast
import functools
from pathlib import Path
from typing import Iterator

from migsafe.model import Statement
from migsafe.rules.base import Hit, RevisionView, Rule
from migsafe.sql import actions as A

RULE = Rule(
    id="bare-commit",
    severity="error",
    summary="A COMMIT or ROLLBACK inside upgrade() ends Alembic's transaction mid-migration: a later failure "
            "leaves a half-applied revision that is not recorded",
    fix="Remove the COMMIT; run what must be outside a transaction (CREATE INDEX CONCURRENTLY, a batched "
        "back-fill) inside `with op.get_context().autocommit_block():`, which ends and restarts Alembic's "
        "transaction properly, or move it to its own revision.",
)

# Transaction statements that end the open transaction (END is COMMIT, ABORT is ROLLBACK).
_ENDS = {"commit": "commits", "rollback": "rolls back", "prepare": "prepares (ends)"}

_ISOLATION_FIX = (
    "Switch the isolation level only where no transaction is open: use `with op.get_context().autocommit_block():` "
    "for what must run outside a transaction, instead of set_isolation_level().")

_AUTOBEGIN_FIX = (
    "Remove the commit(): `with op.get_context().autocommit_block():` ends Alembic's transaction itself and "
    "begins the next one properly. If the commit must stay, make env.py commit after the migrations "
    "(`context.run_migrations()` then `connection.commit()`).")

_ROLLBACK_FIX = (
    "Remove the ROLLBACK: to undo part of the work on failure use a SAVEPOINT (`with op.get_bind().begin_nested():`), "
    "and let an exception abort the migration so Alembic rolls back the whole revision and does not record it."
)


def _how(statement: Statement) -> str:
    if statement.operation.name == "bind.set_isolation_level":
        return " with set_isolation_level() (psycopg2 sends ROLLBACK before it changes the level)"
    return {"bind": " through the connection (op.get_bind())", "execute": " with op.execute"}.get(statement.source, "")


@RULE.check
def check(view: RevisionView) -> Iterator[Hit]:
    statements = view.statements
    for position, statement in _ending_alembic_transactions(statements):
        kind = next(a.kind for a in statement.actions if isinstance(a, A.Transaction) and a.kind in _ENDS)
        after = sum(1 for s in statements[position + 1:] if not _is_transaction_control(s))
        if not _ends_work(view, position, statement, kind) or (
                kind != "rollback" and _block_follows(statements, position)):
            if statement.operation.name != "bind.commit" or _env_py_commits(view.env_py) \
                    or _autocommits_after(statements, position):
                continue  # ends no work of this revision, or none that the autocommit block would not commit
            later = (f"the {after} statement{'s' if after != 1 else ''} after it and " if after else "")
            yield view.hit(statement,
                           "commits through the connection (op.get_bind()): that commit alone loses nothing here "
                           "(it ends no work of this revision, or only what the autocommit_block() right after it "
                           "commits anyway), but SQLAlchemy then begins a transaction of its own on the next "
                           "statement, and Alembic's commit at the end of the revision does not end it: when "
                           f"this is the last revision of an `alembic upgrade`, {later}the alembic_version "
                           "update are rolled back as the connection closes, and the upgrade still exits 0",
                           key=("transaction", statement.index), fix=_AUTOBEGIN_FIX)
            continue
        how = _how(statement)
        follows = (f"the {after} statement{'s' if after != 1 else ''} after it run{'s' if after == 1 else ''} "
                   "outside Alembic's transaction, " if after else "")
        if kind == "rollback":
            message = (f"rolls back the migration's transaction{how} in the middle of upgrade(): everything "
                       "the revision did before it is silently undone, yet Alembic goes on and records the "
                       "revision as applied")
            fix = _ISOLATION_FIX if statement.operation.name == "bind.set_isolation_level" else _ROLLBACK_FIX
            yield view.hit(statement, message, key=("transaction", statement.index), fix=fix)
        else:
            blocker = _first_not_rerunnable(view)
            message = (f"{_ENDS[kind]} the migration's transaction{how} in the middle of upgrade(): "
                       f"the statements before it are permanent at once, {follows}and alembic_version is only "
                       "updated at the end, so a failure after this point leaves the database half-migrated "
                       "with the revision unrecorded")
            if blocker is not None:
                message += (", and re-running the upgrade fails on what was applied (line "
                            f"{blocker.line}: {_why_not_rerunnable(blocker)})")
            else:
                message += ("; every statement of the revision can run again (IF [NOT] EXISTS, writes limited by a "
                            "WHERE, SET/DROP NOT NULL, defaults), so re-running the upgrade completes it, but until "
                            "then the database is between the two revisions")
            autobegin = statement.operation.name == "bind.commit" and not _env_py_commits(view.env_py) \
                and not _autocommits_after(statements, position)
            if autobegin:
                message += ("; and SQLAlchemy then begins a transaction of its own for what follows (the "
                            "alembic_version update included) that Alembic's commit does not end: when this is the "
                            "last revision of an `alembic upgrade`, that is rolled back as the connection closes, "
                            "while the upgrade exits 0")
            severity = "warning" if blocker is None and not autobegin else None
            yield view.hit(statement, message, key=("transaction", statement.index), severity=severity)


def _ending_alembic_transactions(statements: list[Statement]) -> Iterator[tuple[int, Statement]]:
    """COMMIT/ROLLBACK statements that end a transaction Alembic opened.

    A transaction the revision opened itself (``op.execute("BEGIN")`` while none was open, the new transaction
    the driver starts after ``conn.commit()``) is the revision's own business: its COMMIT is part of the same
    dance as the bare COMMIT before it, which is the one reported. A BEGIN inside a transaction only warns in
    PostgreSQL, so what follows it is still Alembic's transaction.
    """
    own: set[int] = set()
    opens_own = False
    for position, statement in enumerate(statements):
        if opens_own and statement.in_transaction and statement.transaction is not None:
            own.add(statement.transaction)
            opens_own = False
        kinds = {a.kind for a in statement.actions if isinstance(a, A.Transaction)}
        if statement.in_transaction and statement.transaction not in own and kinds & set(_ENDS):
            yield position, statement
        if ("begin" in kinds and not statement.in_transaction) or \
                (statement.source in ("bind", "execute") and "commit" in kinds):
            # psycopg 3 opens a new transaction after a COMMIT sent as SQL (psycopg2 opens none).
            opens_own = True


def _ends_work(view: RevisionView, position: int, statement: Statement, kind: str) -> bool:
    """Whether work is lost or made permanent too early. A ROLLBACK undoes whatever its transaction did, earlier
    revisions' work included; a COMMIT harms only this revision's work before it (with one transaction for the
    whole upgrade, the earlier revisions are committed together with their alembic_version updates)."""
    if kind == "rollback":
        return any(_is_work(s) for s in view.earlier_in_transaction(statement))
    return any(s.transaction == statement.transaction and _is_work(s) for s in view.statements[:position])


def _first_not_rerunnable(view: RevisionView) -> Statement | None:
    """The first statement of the revision that cannot run a second time once applied (see
    :func:`~migsafe.sql.actions.runs_again`): a re-run after a failure past the COMMIT runs upgrade() from the top
    again, and with psycopg2 what ran after the COMMIT is applied too. A statement not understood counts as one."""
    guarded = _guarded_lines(tuple(view.revision.source_lines))
    for statement in view.statements:
        if any(first <= statement.line <= last for first, last in guarded):
            continue
        if not statement.actions or not all(A.runs_again(action) for action in statement.actions):
            return statement
    return None


# Names in an ``if`` test that make it the same on every run: the dialect, offline mode, configuration.
_STATIC_TESTS = ("dialect", "is_offline_mode", "get_x_argument", "config", "environ")


@functools.lru_cache(maxsize=32)
def _guarded_lines(source: tuple[str, ...]) -> tuple[tuple[int, int], ...]:
    """Line ranges of the revision whose statements a re-run may skip or survive: the body of an ``if`` whose
    test reads something that can change between runs (``if fk_name:`` after asking the inspector, ``if not
    column_exists(...)``), and a ``try`` body whose failure an ``except`` catches. The recording took the branch
    a fresh database takes; a re-run after a failure past the COMMIT finds the first part applied and can take
    the other one, so a statement there is no proof the re-run fails. A dialect or configuration check
    (``if dialect == "postgresql"``) is the same on every run and guards nothing."""
    try:
        tree = ast.parse("\n".join(source))
    except (SyntaxError, ValueError):
        return ()
    ranges: list[tuple[int, int]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.If):
            test = ast.unparse(node.test)
            if not any(name in test for name in _STATIC_TESTS) and node.body:
                ranges.append((node.body[0].lineno, node.body[-1].end_lineno or node.body[-1].lineno))
        elif isinstance(node, ast.Try) and node.handlers and node.body:
            ranges.append((node.body[0].lineno, node.body[-1].end_lineno or node.body[-1].lineno))
    return tuple(ranges)


def _why_not_rerunnable(statement: Statement) -> str:
    action = next((a for a in statement.actions if not A.runs_again(a)), None)
    if action is None:
        return "a statement migsafe did not understand"
    if isinstance(action, (A.CreateTable, A.CreateIndex, A.AddColumn, A.CreateMatView)):
        return f"{_kind(action)} without IF NOT EXISTS"
    if isinstance(action, (A.DropTable, A.DropIndex, A.DropColumn, A.DropConstraint, A.DropMatView)):
        return f"{_kind(action)} without IF EXISTS"
    if isinstance(action, A.DataChange):
        if action.kind in ("UPDATE", "DELETE"):
            return f"{action.kind} of every row (no WHERE)"
        return "an INSERT that does not skip rows already there (no ON CONFLICT, no NOT EXISTS)"
    return f"{_kind(action)}, which cannot run twice"


def _kind(action: A.Action) -> str:
    import re

    name = action.kind if isinstance(action, A.Other) else type(action).__name__
    return re.sub(r"(?<!^)(?=[A-Z])", " ", name).upper()


def _block_follows(statements: list[Statement], position: int) -> bool:
    """Whether the next work after the COMMIT runs in ``autocommit_block()``, which commits on entry anyway."""
    for later in statements[position + 1:]:
        if _is_work(later):
            return later.in_autocommit_block
    return False


def _autocommits_after(statements: list[Statement], position: int) -> bool:
    """Whether the connection autocommits everything after ``conn.commit()``: the revision switched it to
    autocommit right after (``execution_options(isolation_level="AUTOCOMMIT")``, ``dbapi_connection.autocommit =
    True``), so every later statement runs outside a transaction and outside ``autocommit_block()``. Then
    SQLAlchemy's next transaction sends no BEGIN, and what follows, the alembic_version update included, is
    committed as it runs: nothing is left to roll back when the connection closes (checked on PostgreSQL 15 with
    psycopg 3 and the env.py Alembic generates). Unknown, so False, when nothing follows."""
    later = [s for s in statements[position + 1:] if _is_work(s) and not s.other_connection]
    return bool(later) and all(not s.in_transaction and not s.in_autocommit_block for s in later)


def _is_work(statement: Statement) -> bool:
    """Anything but transaction control, session settings and plain reads: what a COMMIT would make
    permanent. A ``SELECT`` (``SELECT current_schema()`` before committing) changes nothing; one that locks rows
    (``FOR UPDATE``) or writes (``SELECT ... INTO``) counts as work."""
    if not statement.actions:
        return True
    return any(not isinstance(a, (A.Transaction, A.SetVariable)) and not _plain_read(statement, a)
               for a in statement.actions)


def _plain_read(statement: Statement, action: A.Action) -> bool:
    node = statement.node
    return (isinstance(action, A.Other) and action.kind == "Select" and node is not None
            and not getattr(node, "lockingClause", None) and not getattr(node, "intoClause", None))


@functools.lru_cache(maxsize=8)
def _env_py_commits(path: Path | None) -> bool:
    """Whether env.py calls ``.commit()`` itself (``connection.commit()``, ``context.get_bind().commit()``):
    then the transaction SQLAlchemy begins after a revision's ``conn.commit()`` is committed at the end."""
    if path is None:
        return False
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, SyntaxError, ValueError):
        return False
    return any(isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "commit"
               for node in ast.walk(tree))


def _is_transaction_control(statement: object) -> bool:
    actions = getattr(statement, "actions", ())
    return bool(actions) and all(isinstance(a, A.Transaction) for a in actions)
