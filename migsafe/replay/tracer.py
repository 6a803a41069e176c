"""Watch each statement a migration sends to a real PostgreSQL.

SQLAlchemy's cursor events bracket every statement; inside them the tracer asks the server, on the
migration's own connection and so inside its own transaction, what changed: relation locks held by the
backend (``pg_locks``), relations whose ``relfilenode`` changed (rewritten), tables whose ``seq_scan`` count
grew in ``pg_stat_xact_user_tables`` (fully scanned), and the wall time. The observation queries run on the
raw driver connection, so they never show up as the migration's own statements.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from sqlalchemy import event

from migsafe.model import RecordedRevision
from migsafe.recording.tracking import OperationTracker
from migsafe.replay.contention import Measurer, Outside
from migsafe.replay.documented import documented_locks
from migsafe.replay.model import Contention, LockObservation, ObservedStatement
from migsafe.sql.analysis import catalog_query, driver_sql_to_postgres

_RELKINDS = {"r": "table", "p": "partitioned table", "i": "index", "I": "partitioned index", "S": "sequence",
             "v": "view", "m": "materialized view", "t": "toast table", "f": "foreign table"}

_SNAPSHOT_SQL = """
SELECT c.oid, n.nspname, c.relname, c.relkind, c.relfilenode, coalesce(s.seq_scan, 0)
FROM pg_catalog.pg_class c
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_catalog.pg_stat_xact_user_tables s ON s.relid = c.oid
WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%'
  AND n.nspname NOT LIKE 'pg\\_temp%' AND c.relkind IN ('r', 'p', 'i', 'I', 'm', 'S', 'v', 'f')
"""

_LOCKS_SQL = """
SELECT l.relation, l.mode, current_setting('lock_timeout')
FROM pg_catalog.pg_locks l
WHERE l.pid = pg_backend_pid() AND l.locktype = 'relation' AND l.granted
"""

_IN_TRANSACTION = 2  # psycopg.pq.TransactionStatus.INTRANS


@dataclass(frozen=True)
class Relation:
    name: str
    kind: str
    relfilenode: int
    seq_scan: int


def _display(schema: str, name: str) -> str:
    return name if schema == "public" else f"{schema}.{name}"


class Tracer(OperationTracker):
    """Attributes statements to ``op.*`` lines (like the offline recorder) and observes them on the server."""

    def __init__(self, engine: Any) -> None:
        super().__init__()
        self.context: Any = None
        self.tracing = False
        self.statements: list[ObservedStatement] = []
        self._pending: tuple[dict[int, Relation], float] | None = None
        self._held: dict[int, str] = {}
        self._existing: set[int] = set()
        self._names: dict[int, Relation] = {}
        self.contention: Measurer | None = None  # replay --contention
        self._measured: Contention | None = None
        self._outside: Outside | None = None
        event.listen(engine, "before_cursor_execute", self._before)
        event.listen(engine, "after_cursor_execute", self._after)
        event.listen(engine, "handle_error", self._error)

    # -- OperationTracker hooks -------------------------------------------------------------------------------
    def bind(self) -> Any:
        # Inside autocommit_block() Alembic swaps the context's connection; always hand out the current one.
        return self.context.connection

    def start_revision(self, revision: RecordedRevision, upgrade_code: Any, linemap: Any) -> None:
        if self.revision is not revision:
            self.statements = []
        super().start_revision(revision, upgrade_code, linemap)

    def begin_revision(self, dbapi_connection: Any) -> None:
        """Remember which relations existed before the revision: those may hold production data."""
        snapshot = self._snapshot(dbapi_connection)
        self._existing = set(snapshot)
        self._names = dict(snapshot)
        self._held = {}

    # -- SQLAlchemy events -------------------------------------------------------------------------------------
    def _before(self, conn: Any, cursor: Any, statement: str, parameters: Any, context: Any,
                executemany: bool) -> None:
        if not self.tracing or self.revision is None:
            return
        if catalog_query(driver_sql_to_postgres(statement)):
            return  # SQLAlchemy's own introspection (Enum.create(checkfirst=True), has_table): not migration work
        dbapi = cursor.connection
        new_transaction = dbapi.info.transaction_status != _IN_TRANSACTION
        if new_transaction:
            self._held = {}  # a new transaction: nothing is held yet
        self._measured = self._outside = None
        if self.contention is not None and not executemany:
            # Before the snapshot: the measured runs are rolled back, the snapshot sees what the real run changes.
            names = {lock.relation: lock.mode for lock in documented_locks(statement, self._existing_names())
                     if lock.existing}
            if dbapi.autocommit:
                self._outside = self.contention.outside_transaction(dbapi, statement, names)
            else:
                self._measured = self.contention.in_transaction(dbapi, statement, parameters, self._existing,
                                                                names, new_transaction)
        before = self._snapshot(dbapi)
        self._names.update(before)
        self._pending = (before, time.perf_counter())

    def _after(self, conn: Any, cursor: Any, statement: str, parameters: Any, context: Any,
               executemany: bool) -> None:
        if not self.tracing or self.revision is None or self._pending is None:
            return
        before, started = self._pending
        self._pending = None
        elapsed = (time.perf_counter() - started) * 1000
        dbapi = cursor.connection
        in_transaction = dbapi.info.transaction_status == _IN_TRANSACTION
        after = self._snapshot(dbapi)
        self._names.update(after)
        observed = self._new_statement(statement, in_transaction, elapsed)
        observed.created = sorted(after[o].name for o in after.keys() - before.keys())
        observed.contention = self._contention(dbapi, None)
        for oid in before.keys() & after.keys():
            b, a = before[oid], after[oid]
            if b.relfilenode != a.relfilenode and b.kind in ("table", "partitioned table", "materialized view",
                                                            "index"):
                observed.rewrites.append(a.name)
                if oid in self._existing:
                    observed.existing_rewrites.append(a.name)
            if a.seq_scan > b.seq_scan:
                observed.scans.append(a.name)
                if oid in self._existing:
                    observed.existing_scans.append(a.name)
        if in_transaction:
            observed.locks, observed.lock_timeout = self._locks(dbapi)
        else:
            # The statement ran in autocommit mode (CONCURRENTLY, autocommit_block): its locks are released
            # by the time we can look, so report the ones PostgreSQL documents for it.
            observed.observed = False
            observed.locks = documented_locks(statement, self._existing_names())
        self.statements.append(observed)

    def _error(self, exception_context: Any) -> None:
        if not self.tracing or self.revision is None:
            return
        # A failed catalog query was not observed (no _pending) but is the revision's failure all the same:
        # ``SELECT pg_terminate_backend(pid) FROM pg_stat_activity`` refused for want of rights, for one.
        started = self._pending[1] if self._pending is not None else time.perf_counter()
        self._pending = None
        elapsed = (time.perf_counter() - started) * 1000
        statement = exception_context.statement or ""
        observed = self._new_statement(statement, True, elapsed)
        observed.error = server_message(exception_context.original_exception) + _privilege_hint(
            exception_context.original_exception, statement)
        dbapi = getattr(exception_context.connection, "connection", None)
        observed.contention = self._contention(getattr(dbapi, "dbapi_connection", None), observed.error)
        self.statements.append(observed)

    # -- helpers -----------------------------------------------------------------------------------------------
    def _contention(self, dbapi: Any, error: str | None) -> Contention | None:
        """The statement's measurement under contention, if it was measured: taken before it ran (in a
        transaction), or finished now that its real run has returned (outside one)."""
        measured, outside = self._measured, self._outside
        self._measured = self._outside = None
        if outside is not None:
            return outside.finish(dbapi, error)
        if measured is not None and self.contention is not None:
            self.contention.ran(measured)
        return measured

    def _new_statement(self, statement: str, in_transaction: bool, elapsed: float) -> ObservedStatement:
        current = self.current
        assert self.revision is not None
        if current is not None:
            line, end_line = current[0].line, current[0].end_line
        else:
            rec = self.new_operation("statement")
            line, end_line = rec.line, rec.end_line
        return ObservedStatement(revision=self.revision.revision, path=self.revision.path, line=line,
                                 end_line=end_line, sql=" ".join(statement.split()),
                                 in_transaction=in_transaction, duration_ms=round(elapsed, 3))

    def _existing_names(self) -> set[str]:
        return {self._names[o].name for o in self._existing if o in self._names}

    def _snapshot(self, dbapi: Any) -> dict[int, Relation]:
        with dbapi.cursor() as cur:
            cur.execute(_SNAPSHOT_SQL)
            return {
                oid: Relation(_display(schema, name), _RELKINDS.get(kind, kind), relfilenode, seq_scan)
                for oid, schema, name, kind, relfilenode, seq_scan in cur.fetchall()
            }

    def _locks(self, dbapi: Any) -> tuple[list[LockObservation], str | None]:
        from migsafe.pg_locks import strength

        with dbapi.cursor() as cur:
            cur.execute(_LOCKS_SQL)
            rows = cur.fetchall()
        strongest: dict[int, str] = {}
        timeout = None
        for oid, mode, lock_timeout in rows:
            timeout = lock_timeout
            if oid in self._names and strength(mode) > strength(strongest.get(oid, "")):
                strongest[oid] = mode
        locks = []
        for oid, mode in sorted(strongest.items(), key=lambda item: self._names[item[0]].name):
            relation = self._names[oid]
            acquired = strength(mode) > strength(self._held.get(oid, ""))
            locks.append(LockObservation(relation=relation.name, kind=relation.kind, mode=mode, acquired=acquired,
                                         existing=oid in self._existing))
        self._held = strongest
        return locks, timeout


_INSUFFICIENT_PRIVILEGE = "42501"


def _privilege_hint(exc: BaseException, statement: str) -> str:
    """Why a right was missing: replay runs revisions as a role made for the run (docs/replay.md), not as the
    role a deploy would use, so the report says so next to PostgreSQL's message."""
    orig = getattr(exc, "orig", None) or exc
    if getattr(orig, "sqlstate", None) != _INSUFFICIENT_PRIVILEGE:
        return ""
    if " ".join(statement.split()[:2]).upper() == "CREATE EXTENSION":
        return (" (replay runs revisions as a throwaway role that may create only trusted extensions; write "
                "CREATE EXTENSION IF NOT EXISTS and migsafe creates it beforehand where --database-url's role can)")
    return " (replay runs revisions as a throwaway role with no rights outside its own database)"


def server_message(exc: BaseException) -> str:
    """PostgreSQL's own message for a failed statement (without SQLAlchemy's wrapping)."""
    orig = getattr(exc, "orig", None) or exc
    diag = getattr(orig, "diag", None)
    primary = getattr(diag, "message_primary", None) if diag is not None else None
    if primary:
        return str(primary)
    text = str(orig).strip().splitlines()
    return text[0] if text else type(orig).__name__
