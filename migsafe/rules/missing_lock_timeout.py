"""missing-lock-timeout: an ACCESS EXCLUSIVE lock requested on a live table with no ``lock_timeout`` in effect.

Even a statement that finishes instantly (ADD COLUMN, DROP NOT NULL, a rename) must first get its ACCESS
EXCLUSIVE lock. If any transaction holds any lock on the table — a long report, an idle-in-transaction
session — the request waits, and while it waits every later query on the table, reads included, queues
behind it: the table is down for as long as the oldest transaction on it lasts. ``lock_timeout`` turns that
into a quick failure the deploy can retry.

What counts as "in effect", in order of reach:

- ``lock-timeout = "2s"`` in ``[tool.migsafe]``: the deploy sets it (a role default, ``PGOPTIONS``...).
- a ``lock_timeout`` set anywhere in the project's ``env.py`` (read as Python source: a ``SET lock_timeout``
  string, ``-c lock_timeout=...`` in connection options, a ``"lock_timeout"`` key in ``connect_args`` or
  ``server_settings``, ``set_config('lock_timeout', ...)``).
- ``SET lock_timeout`` earlier in the same revision (it lasts for the session), or ``SET LOCAL lock_timeout``
  earlier in the same transaction (it ends with the transaction; outside a transaction it does nothing). A
  value of 0 means no timeout; ``RESET`` and ``SET ... TO DEFAULT`` go back to none.

A setting in an earlier revision does not count: a revision can be deployed alone. One finding per revision,
on its first such statement.
"""

from __future__ import annotations

import ast as pyast
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterator
from urllib.parse import unquote_plus

from pglast import ast

from migsafe.model import Statement
from migsafe.pg_locks import SUGGESTED_LOCK_TIMEOUT, duration_ms
from migsafe.rules.base import Hit, RevisionView, Rule
from migsafe.sql import actions as A
from migsafe.sql.analysis import parse
from migsafe.sql.locks import ACCESS_EXCLUSIVE, TableLock, lock_on_live_table, statement_locks

RULE = Rule(
    id="missing-lock-timeout",
    severity="warning",
    summary="An ACCESS EXCLUSIVE lock requested with no lock_timeout: while it waits, every query on the table "
            "queues behind it",
    fix=f"Start upgrade() with `op.execute(\"SET LOCAL lock_timeout = '{SUGGESTED_LOCK_TIMEOUT}'\")` (or set it "
        "once for every migration in env.py), and retry the deploy when it times out; if your deploy already sets "
        f"it, say so with `lock-timeout = \"{SUGGESTED_LOCK_TIMEOUT}\"` in [tool.migsafe].",
)


@RULE.check
def check(view: RevisionView) -> Iterator[Hit]:
    if _project_sets_timeout(view):
        return
    timeout = _Timeout()
    first: tuple[Statement, TableLock] | None = None
    count = 0
    for statement in view.statements:
        lock = _access_exclusive(view, statement)
        if lock is not None and not timeout.in_effect(statement):
            count += 1
            if first is None and _may_wait(view, statement, lock):
                first = (statement, lock)
        timeout.apply(statement)
    if first is None:
        return
    statement, lock = first
    more = (f"; {count - 1} more statement{'s' if count > 2 else ''} of this revision {'do' if count > 2 else 'does'} "
            "the same") if count > 1 else ""
    yield view.hit(
        statement,
        f"takes an ACCESS EXCLUSIVE lock on {lock.describe()} with no lock_timeout set: if any transaction holds "
        f"a lock on it (a long query, an idle-in-transaction session), this statement waits for it, and every "
        f"read and write of the table queues behind it for as long as it waits{more}",
        key=("lock-timeout", view.revision.revision),
    )


def lock_timeout_in_effect(view: RevisionView, statement: Statement) -> bool:
    """Whether a lock_timeout bounds the wait of ``statement``: the project sets one (configuration, env.py) or
    the revision set one before it, in its transaction (SET LOCAL) or its session."""
    if _project_sets_timeout(view):
        return True
    timeout = _Timeout()
    for earlier in view.statements:
        if earlier is statement:
            return timeout.in_effect(statement)
        timeout.apply(earlier)
    return False


def _project_sets_timeout(view: RevisionView) -> bool:
    """The deploy sets one for every migration: ``[tool.migsafe] lock-timeout``, or env.py."""
    return _configured(view.settings.lock_timeout) or (view.env_py is not None
                                                       and env_sets_lock_timeout(view.env_py))


def _configured(value: str | None) -> bool:
    return value is not None and bool(duration_ms(value))


def _access_exclusive(view: RevisionView, statement: Statement) -> TableLock | None:
    for lock in statement_locks(statement):
        if lock.mode == ACCESS_EXCLUSIVE and lock_on_live_table(view, statement, lock):
            return lock
    return None


def _may_wait(view: RevisionView, statement: Statement, lock: TableLock) -> bool:
    """Whether taking the lock can make the statement wait: not ``LOCK TABLE ... NOWAIT`` (it fails at once
    instead), and not on a table an earlier statement of the transaction already holds ACCESS EXCLUSIVE on.
    The finding cites a statement that can wait; the lock-first pattern (``LOCK TABLE t IN ACCESS EXCLUSIVE
    MODE NOWAIT`` then ``ALTER TABLE t ...``) has none."""
    if isinstance(lock.action, A.LockTable) and lock.action.nowait:
        return False
    return lock.unknown_table or view.holds_access_exclusive(statement, lock.table) is None


class _Timeout:
    """The lock_timeout in effect as the revision's statements run (None or 0: no timeout)."""

    def __init__(self) -> None:
        self.session: int | None = None
        self.local: dict[int, int] = {}  # transaction number -> SET LOCAL value

    def in_effect(self, statement: Statement) -> bool:
        if statement.transaction is not None and statement.transaction in self.local:
            return self.local[statement.transaction] > 0
        return bool(self.session)

    def apply(self, statement: Statement) -> None:
        for local, value in lock_timeout_assignments(statement):
            transaction = statement.transaction if statement.in_transaction else None
            if local:
                if transaction is not None:  # SET LOCAL outside a transaction only warns
                    self.local[transaction] = value or 0
                continue
            self.session = value
            if transaction is not None:
                self.local.pop(transaction, None)  # a plain SET replaces an earlier SET LOCAL


def lock_timeout_assignments(statement: Statement) -> list[tuple[bool, int | None]]:
    """(is SET LOCAL, milliseconds) for each change the statement makes to lock_timeout; None: back to the
    default (RESET, SET ... TO DEFAULT, RESET ALL) or a value PostgreSQL would reject."""
    found: list[tuple[bool, int | None]] = []
    for action in statement.actions:
        if isinstance(action, A.SetVariable):
            if action.name == "lock_timeout":
                found.append((action.local, duration_ms(action.value) if action.value is not None else None))
            elif action.name == "" and action.value is None:  # RESET ALL
                found.append((False, None))
    found.extend(_set_config_calls(statement.node))
    return found


def _set_config_calls(node: Any) -> list[tuple[bool, int | None]]:
    """``SELECT set_config('lock_timeout', '2s', is_local)``."""
    found: list[tuple[bool, int | None]] = []
    if not isinstance(node, ast.SelectStmt):
        return found
    for target in node.targetList or ():
        call = getattr(target, "val", None)
        if not isinstance(call, ast.FuncCall) or call.funcname[-1].sval.lower() != "set_config":
            continue
        args = list(call.args or ())
        if len(args) != 3 or _constant(args[0]) != "lock_timeout":
            continue
        value = _constant(args[1])
        local = _constant(args[2])
        found.append((local is True or local == "true", duration_ms(value) if value is not None else 1))
    return found


def _constant(expr: Any) -> Any:
    while isinstance(expr, ast.TypeCast):
        expr = expr.arg
    if isinstance(expr, ast.A_Const) and expr.val is not None:
        value = expr.val
        for attr in ("sval", "ival", "boolval", "fval"):
            if hasattr(value, attr):
                return getattr(value, attr)
    return None


# -- env.py ------------------------------------------------------------------------------------------------------

def env_sets_lock_timeout(path: Path) -> bool:
    """Whether the project's env.py sets a non-zero lock_timeout for the migration's connection.

    Read as Python source, never run: any string that is ``SET [LOCAL] lock_timeout = <non-zero>`` SQL or
    libpq options with ``-c lock_timeout=<non-zero>`` (also URL-encoded in a URL), any ``"lock_timeout"``
    dictionary key or ``lock_timeout=`` keyword with a non-zero or computed value. Comments do not count.
    """
    try:
        stat = path.stat()
    except OSError:
        return False
    return _env_sets_lock_timeout(str(path), stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=32)
def _env_sets_lock_timeout(path: str, _mtime: int, _size: int) -> bool:
    try:
        tree = pyast.parse(Path(path).read_text(encoding="utf-8"))
    except (OSError, SyntaxError, UnicodeDecodeError, ValueError):
        return False
    for node in pyast.walk(tree):
        if isinstance(node, pyast.Constant) and isinstance(node.value, str) and _text_sets(node.value):
            return True
        if isinstance(node, pyast.JoinedStr) and _text_sets(_fstring_text(node)):
            return True
        if isinstance(node, pyast.Dict):
            for key, value in zip(node.keys, node.values):
                if isinstance(key, pyast.Constant) and key.value == "lock_timeout" and _python_value_sets(value):
                    return True
        if isinstance(node, pyast.Call):
            for keyword in node.keywords:
                if keyword.arg == "lock_timeout" and _python_value_sets(keyword.value):
                    return True
    return False


def _fstring_text(node: pyast.JoinedStr) -> str:
    """An f-string with each interpolated value replaced by a non-zero number."""
    return "".join(part.value if isinstance(part, pyast.Constant) and isinstance(part.value, str) else "1000"
                   for part in node.values)


def _python_value_sets(value: pyast.expr) -> bool:
    if isinstance(value, pyast.Constant):
        return value.value is not None and bool(duration_ms(value.value))
    return True  # computed (an environment variable, a setting): assume it sets one


def _text_sets(text: str) -> bool:
    if "lock_timeout" not in text:
        return False
    if _options_set(text):
        return True
    statements = parse(text)
    for parsed in statements:
        if parsed.error:
            continue
        fake = Statement(sql=parsed.text, index=0, operation=None, in_transaction=True,  # type: ignore[arg-type]
                         transaction=0, source="execute", actions=parsed.actions, node=parsed.node)
        if any(value for _local, value in lock_timeout_assignments(fake)):
            return True
    return False


def _options_set(text: str) -> bool:
    """libpq ``options``: ``-c lock_timeout=2s``, ``-clock_timeout=2s``, ``--lock_timeout=2s``, possibly inside a
    URL query (``?options=-c%20lock_timeout%3D2s``)."""
    decoded = unquote_plus(text)
    for token in decoded.replace("&", " ").replace("?", " ").split():
        for prefix in ("options=", "-c", "--"):
            token = token.removeprefix(prefix)
        if token.startswith("lock_timeout="):
            if duration_ms(token.partition("=")[2]):
                return True
    return False
