"""``migsafe replay --contention``: replay the lock queue a statement causes under application traffic.

An outage from a migration is rarely the lock itself; it is the queue. A statement that needs ACCESS EXCLUSIVE
waits behind one slow query holding ACCESS SHARE, and every read and write of the table queues behind the
waiting statement. So, for the first statement of a transaction that takes a lock conflicting with readers or
writers on an existing table (once per table per transaction), replay stages that scene on the same server, in
the scratch database only, as the throwaway role:

- a *slow reader* takes ACCESS SHARE on the table (``LOCK TABLE``, which locks only the table: a report query's
  ``SELECT`` would also lock the table's indexes and could wait on the migration's own earlier locks) and holds
  it for ``reader_seconds``;
- a small *application load*: queries arrive at ``rate`` per second (reads, and writes that roll back) and are
  run by a pool of ``connections``; a query's wait counts from its arrival, so queueing for a pool connection
  counts, as it does for an application;
- a *monitor* polls ``pg_locks`` for the migration's backend to time its lock wait.

Inside a transaction the statement runs twice, each time in a savepoint rolled back afterwards: as written,
then with a ``lock_timeout``; then replay runs it for real, untouched. A statement outside a transaction
(CONCURRENTLY, ``autocommit_block()``) cannot be rolled back: its real run is measured, once, and what a failed
run leaves behind (an INVALID index, a pending DETACH) is removed before replay goes on.

The waits do not count against the revision timeout (its SIGALRM timer is paused while a scene runs); instead
each run has a statement budget (``statement_timeout`` for the migration's runs and the application's queries)
and the whole replay a budget after which statements are no longer measured. Every connection and thread of a
scene is closed in ``finally``: on success, on error and on Ctrl-C.
"""

from __future__ import annotations

import contextlib
import math
import queue
import signal
import threading
import time
from dataclasses import dataclass
from typing import Any, Callable, Iterator

import psycopg
from psycopg import sql

from migsafe.database_url import first_line
from migsafe.pg_locks import DANGEROUS, SUGGESTED_LOCK_TIMEOUT, duration_ms, strength
from migsafe.replay.model import Contention, ContentionRun

BLOCKED_MS = 100.0  # an application query that waited longer was blocked
DEFAULT_READER_SECONDS = 4.0
DEFAULT_RATE = 20.0  # application queries per second
DEFAULT_CONNECTIONS = 8  # the application's pool
DEFAULT_RUN_BUDGET = 480.0  # seconds of contention per replay; later statements are not measured
LEAD = 0.3  # seconds of application load before the reader takes its lock, and after the lock is released
START_AFTER_READER = 0.05  # the migration statement is sent this long after the reader has its lock
POLL = 0.01  # the monitor's interval
READER_LOCK_WAIT_MS = 1000  # how long the slow reader may wait for its own lock before the scene fails
STATEMENT_SLACK = 30.0  # a run's statement budget: the reader's time plus this
TABLE_KINDS = ("r", "p", "m")  # table, partitioned table, materialized view: what applications read

_SAVEPOINT = "migsafe_contention"
# Statements that would end or nest the transaction the savepoints live in: never run in one.
_TRANSACTION_CONTROL = frozenset({"BEGIN", "START", "COMMIT", "END", "ROLLBACK", "ABORT", "SAVEPOINT", "RELEASE",
                                  "PREPARE"})
_QUERY_CANCELED = "57014"


@dataclass(frozen=True)
class ContentionOptions:
    reader_seconds: float = DEFAULT_READER_SECONDS
    rate: float = DEFAULT_RATE
    connections: int = DEFAULT_CONNECTIONS
    run_budget: float = DEFAULT_RUN_BUDGET
    lock_timeout: str = SUGGESTED_LOCK_TIMEOUT
    lock_timeout_source: str = "migsafe's suggested value"

    @property
    def statement_budget(self) -> float:
        return self.reader_seconds + STATEMENT_SLACK


def lock_timeout_for(configured: str | None, env_py_sets: bool) -> tuple[str, str]:
    """The lock_timeout of the second run, and where it comes from: ``[tool.migsafe] lock-timeout``; else env.py's
    (which migsafe reads only as source, so its value is unknown: the suggested one, and the report says so);
    else migsafe's suggested value. A revision's own ``SET lock_timeout`` wins, per statement (see
    :meth:`Measurer._timeout`)."""
    if configured is not None and duration_ms(configured):
        return configured, "[tool.migsafe] lock-timeout"
    if env_py_sets:
        return SUGGESTED_LOCK_TIMEOUT, ("migsafe's suggested value (env.py sets a lock_timeout, but replay does not "
                                        "run env.py and cannot read its value)")
    return SUGGESTED_LOCK_TIMEOUT, "migsafe's suggested value (the project sets none)"


@dataclass(frozen=True)
class Target:
    """The table a scene runs on."""

    oid: int
    schema: str
    name: str
    kind: str  # pg_class.relkind
    mode: str  # the conflicting lock the statement takes on it

    @property
    def display(self) -> str:
        return self.name if self.schema == "public" else f"{self.schema}.{self.name}"

    @property
    def identifier(self) -> sql.Identifier:
        return sql.Identifier(self.schema, self.name)


# --------------------------------------------------------------------------------------------- the scene


@dataclass
class _Query:
    sent: float  # seconds since the scene started
    waited: float  # seconds
    error: str | None


class _AppLoad:
    """Queries arriving at a fixed rate, run by a pool of connections; each one's wait counts from its arrival."""

    def __init__(self, connect: Callable[[], psycopg.Connection], target: Target, options: ContentionOptions,
                 epoch: float) -> None:
        self._epoch = epoch
        self._rate = options.rate
        self._queue: queue.Queue[tuple[float, str]] = queue.Queue()
        self._stop = threading.Event()
        self._cancelled = threading.Event()
        self.queries: list[_Query] = []
        self._lock = threading.Lock()
        read = sql.SQL("SELECT 1 FROM {} LIMIT 1").format(target.identifier)
        # A write that takes and waits for the same lock as a real one (ROW EXCLUSIVE) but changes no row, in a
        # transaction rolled back anyway; materialized views are only read.
        write = sql.SQL("DELETE FROM {} WHERE false").format(target.identifier)
        self._kinds = {"read": read, "write": write} if target.kind != "m" else {"read": read}
        self._connections: list[psycopg.Connection] = []
        self._threads: list[threading.Thread] = []
        budget_ms = int(options.statement_budget * 1000)
        for _ in range(max(1, options.connections)):
            conn = connect()
            self._connections.append(conn)
            conn.execute(sql.SQL("SET statement_timeout = {}").format(sql.Literal(budget_ms)))

    def start(self) -> None:
        self._threads = [threading.Thread(target=self._produce, name="migsafe-app-arrivals", daemon=True)]
        self._threads += [threading.Thread(target=self._work, args=(conn,), name="migsafe-app", daemon=True)
                          for conn in self._connections]
        for thread in self._threads:
            thread.start()

    def _now(self) -> float:
        return time.perf_counter() - self._epoch

    def _produce(self) -> None:
        kinds = list(self._kinds)
        due = self._now()
        count = 0
        while not self._stop.is_set():
            self._queue.put((due, kinds[count % len(kinds)]))
            count += 1
            due += 1.0 / self._rate
            self._stop.wait(max(0.0, due - self._now()))

    def _work(self, conn: psycopg.Connection) -> None:
        while True:
            try:
                sent, kind = self._queue.get(timeout=0.05)
            except queue.Empty:
                if self._stop.is_set():
                    return
                continue
            error = None
            try:
                if kind == "write":
                    with conn.transaction(force_rollback=True):
                        conn.execute(self._kinds[kind])
                else:
                    conn.execute(self._kinds[kind])
            except psycopg.Error as exc:
                if self._cancelled.is_set() and getattr(exc, "sqlstate", None) == _QUERY_CANCELED:
                    error = None  # still waiting when the scene ended: counted as a wait until then
                else:
                    error = first_line(exc)
            with self._lock:
                self.queries.append(_Query(sent, self._now() - sent, error))

    def stop(self, drain: float) -> None:
        """No more arrivals; let the queued queries finish for ``drain`` seconds, then cancel what still waits."""
        self._stop.set()
        deadline = time.monotonic() + drain
        for thread in self._threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        if any(thread.is_alive() for thread in self._threads):
            self._cancelled.set()
            for conn in self._connections:
                with contextlib.suppress(psycopg.Error):
                    conn.cancel_safe(timeout=2)
            while True:  # queries that never got a connection: their wait ends here
                try:
                    sent, _ = self._queue.get_nowait()
                except queue.Empty:
                    break
                with self._lock:
                    self.queries.append(_Query(sent, self._now() - sent, None))
            for thread in self._threads:
                thread.join(5)

    def close(self) -> None:
        self._stop.set()
        self._cancelled.set()
        for conn in self._connections:
            with contextlib.suppress(Exception):
                conn.cancel_safe(timeout=2)
        for thread in self._threads:
            thread.join(5)
        for conn in self._connections:
            with contextlib.suppress(Exception):
                conn.close()


class _SlowReader:
    """A session holding ACCESS SHARE on the table for ``seconds`` from when it got it (an idle-in-transaction
    session, or a long report query, as far as the lock queue can tell)."""

    def __init__(self, connect: Callable[[], psycopg.Connection], target: Target, seconds: float,
                 epoch: float) -> None:
        self._conn = connect()
        self._conn.autocommit = False  # LOCK TABLE holds until the transaction ends
        self._seconds = seconds
        self._epoch = epoch
        self._target = target
        self._release = threading.Event()
        self._thread: threading.Thread | None = None
        self.held: tuple[float, float] = (0.0, 0.0)

    def take(self) -> None:
        # Should the migration's transaction already hold a conflicting lock (it never should, the statement is
        # measured only when it takes the lock anew), the scene fails instead of hanging. The reader's own
        # guard, not a value suggested to anyone (that one is SUGGESTED_LOCK_TIMEOUT).
        self._conn.execute(sql.SQL("SET lock_timeout = {}").format(sql.Literal(READER_LOCK_WAIT_MS)))
        if self._target.kind == "m":  # LOCK TABLE refuses materialized views: a report query on it, then
            self._conn.execute(sql.SQL("SELECT 1 FROM {} LIMIT 1").format(self._target.identifier))
        else:
            self._conn.execute(sql.SQL("LOCK TABLE {} IN ACCESS SHARE MODE").format(self._target.identifier))
        start = time.perf_counter() - self._epoch
        self.held = (start, start + self._seconds)
        self._thread = threading.Thread(target=self._hold, name="migsafe-slow-reader", daemon=True)
        self._thread.start()

    def _hold(self) -> None:
        self._release.wait(self._seconds)
        with contextlib.suppress(psycopg.Error):
            self._conn.rollback()
        end = time.perf_counter() - self._epoch
        self.held = (self.held[0], min(self.held[1], end))

    def close(self) -> None:
        self._release.set()
        if self._thread is not None:
            self._thread.join(5)
        with contextlib.suppress(Exception):
            self._conn.close()


class _Monitor:
    """Polls ``pg_locks`` for the migration's backend: the seconds it spent waiting for a lock, and when it last
    stopped waiting (the acquisition)."""

    def __init__(self, connect: Callable[[], psycopg.Connection], pid: int, epoch: float) -> None:
        self._conn = connect()
        self._pid = pid
        self._epoch = epoch
        self._stop = threading.Event()
        self.waited = 0.0
        self.acquired: float | None = None
        self._thread = threading.Thread(target=self._poll, name="migsafe-lock-monitor", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def _poll(self) -> None:
        query = "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_locks WHERE pid = %s AND NOT granted)"
        waiting_since: float | None = None
        while not self._stop.is_set():
            try:
                row = self._conn.execute(query, [self._pid]).fetchone()
            except psycopg.Error:
                return
            now = time.perf_counter() - self._epoch
            if row and row[0]:
                waiting_since = now if waiting_since is None else waiting_since
            elif waiting_since is not None:
                self.waited += now - waiting_since
                self.acquired = now
                waiting_since = None
            self._stop.wait(POLL)

    def close(self) -> None:
        self._stop.set()
        if self._thread.ident is not None:
            self._thread.join(5)
        with contextlib.suppress(Exception):
            self._conn.close()


class Scene:
    """The slow reader and the application load around one run of a statement on the migration's backend."""

    def __init__(self, connect: Callable[[], psycopg.Connection], target: Target, pid: int,
                 options: ContentionOptions) -> None:
        self.epoch = time.perf_counter()
        self._options = options
        self._app: _AppLoad | None = None
        self._reader: _SlowReader | None = None
        self._monitor: _Monitor | None = None
        self.started = 0.0
        try:
            self._app = _AppLoad(connect, target, options, self.epoch)
            self._reader = _SlowReader(connect, target, options.reader_seconds, self.epoch)
            self._monitor = _Monitor(connect, pid, self.epoch)
        except BaseException:
            self.close()
            raise

    def begin(self) -> None:
        """Application load, then the reader's lock; returns when the migration statement should be sent."""
        assert self._app is not None and self._reader is not None and self._monitor is not None
        self._app.start()
        time.sleep(LEAD)
        self._reader.take()
        self._monitor.start()
        time.sleep(START_AFTER_READER)
        self.started = time.perf_counter() - self.epoch

    def end(self, error: str | None, ended: float | None = None) -> ContentionRun:
        """The statement has returned (``error``: it failed) and its lock is released: a little more load, then the
        numbers. ``ended``: when it returned, if not now."""
        assert self._app is not None and self._reader is not None and self._monitor is not None
        ended = time.perf_counter() - self.epoch if ended is None else ended
        time.sleep(LEAD)
        self._monitor.close()
        self._app.stop(drain=2.0)
        self._reader.close()
        monitor = self._monitor
        gave_up = error is not None
        if gave_up:
            wait, acquired = ended - self.started, None
        else:
            # The monitor sees the wait end at its next poll, which may come after the statement returned.
            wait = min(monitor.waited, ended - self.started)
            acquired = self.started + wait
        return _summarize(self._app.queries, wait, 0.0 if acquired is None else ended - acquired, gave_up, error,
                          self._reader.held, self.started, acquired, ended)

    def close(self) -> None:
        """Every connection and thread of the scene, whatever state it is in; a failure closing one part must not
        leave the others open (the exception that brought us here matters more)."""
        for part in (self._monitor, self._app, self._reader):
            if part is not None:
                with contextlib.suppress(Exception):
                    part.close()


def _summarize(queries: list[_Query], wait: float, held: float, gave_up: bool, error: str | None,
               reader: tuple[float, float], started: float, acquired: float | None, ended: float) -> ContentionRun:
    waits = sorted(q.waited * 1000 for q in queries)
    p99 = waits[max(0, math.ceil(0.99 * len(waits)) - 1)] if waits else 0.0
    blocked = [(round(q.sent, 3), round(q.waited, 3)) for q in sorted(queries, key=lambda q: q.sent)
               if q.waited * 1000 > BLOCKED_MS]
    return ContentionRun(
        lock_wait_ms=round(wait * 1000, 1), lock_held_ms=round(held * 1000, 1), app_queries=len(queries),
        app_blocked=len(blocked), app_wait_max_ms=round(waits[-1] if waits else 0.0, 1),
        app_wait_p99_ms=round(p99, 1), app_errors=sum(1 for q in queries if q.error), gave_up=gave_up, error=error,
        reader=(round(reader[0], 3), round(reader[1], 3)), started=round(started, 3),
        acquired=None if acquired is None else round(acquired, 3), ended=round(ended, 3), blocked=blocked)


# --------------------------------------------------------------------------------------------- replay's hook


_LOCKS_SQL = """
SELECT l.relation, l.mode FROM pg_catalog.pg_locks l
WHERE l.pid = pg_backend_pid() AND l.locktype = 'relation' AND l.granted
"""

_TARGET_SQL = """
SELECT c.oid, n.nspname, c.relname, c.relkind FROM pg_catalog.pg_class c
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = ANY(%s)
"""


class Measurer:
    """Replay's tracer calls it before each statement: decides whether the statement is measured, and measures.

    ``connect`` opens a connection to the scratch database as the throwaway role: the scenes never go anywhere
    else."""

    def __init__(self, connect: Callable[[], psycopg.Connection], options: ContentionOptions) -> None:
        self._connect = connect
        self.options = options
        self.spent = 0.0
        self.unmeasured: list[str] = []  # statements not measured (budget spent, the scene failed), and why
        self._measured: set[int] = set()  # tables measured in the current transaction
        # Measured in the current transaction, when their real run returned, and the scenes' seconds by then.
        self._open: list[tuple[Contention, float, float]] = []
        self.outside: Outside | None = None  # the scene of a statement outside a transaction, while it runs

    # -- in a transaction ------------------------------------------------------------------------------------
    def in_transaction(self, dbapi: Any, statement: str, parameters: Any, existing: set[int],
                       documented: dict[str, str], new_transaction: bool) -> Contention | None:
        """Measure the statement if it is the first to take a conflicting lock on an existing table in this
        transaction: find its locks in a savepoint, then run it twice under the scene, rolling back each time.

        A statement that fails (a NOT NULL column on rows without a value) still waits for its lock first, and
        the queue forms all the same: its locks are then the documented ones (``documented``: display name of
        an existing relation to mode)."""
        if new_transaction:
            self._measured = set()
            self._open = []
        words = statement.split(None, 1)
        if not words or words[0].upper().rstrip(";") in _TRANSACTION_CONTROL or not self._within_budget(statement):
            return None
        with _savepoint(dbapi) as cursor:
            held = dict(cursor.execute(_LOCKS_SQL).fetchall())
            try:
                _execute(cursor, statement, parameters)
                failed = False
            except psycopg.Error:
                failed = True  # the transaction is aborted until the rollback: no pg_locks
            taken = {} if failed else {oid: mode for oid, mode in cursor.execute(_LOCKS_SQL).fetchall()
                                       if oid in existing}
        with dbapi.cursor() as cursor:
            if failed:
                taken = _resolve(cursor, documented)
            taken = {oid: mode for oid, mode in taken.items()
                     if mode in DANGEROUS and oid not in self._measured and _stronger(mode, held.get(oid))}
            targets = _targets(cursor, taken)  # named as before the statement (it may rename the table)
        if not targets:
            return None
        target = targets[0]
        self._measured.add(target.oid)
        timeout, source = self._timeout(dbapi)
        budget = sql.SQL("SET LOCAL statement_timeout = {}").format(
            sql.Literal(int(self.options.statement_budget * 1000)))
        setting = sql.SQL("SET LOCAL lock_timeout = {}").format(sql.Literal(timeout))
        began = time.perf_counter()
        try:
            with _alarm_paused():
                as_written = self._run(dbapi, target, lambda cursor: (cursor.execute(budget),
                                                                      _execute(cursor, statement, parameters)))
                with_timeout = self._run(dbapi, target, lambda cursor: (cursor.execute(budget),
                                                                        cursor.execute(setting),
                                                                        _execute(cursor, statement, parameters)))
        except psycopg.Error as exc:
            self.unmeasured.append(f"{_short(statement)}: the scene failed: {first_line(exc)}")
            return None
        finally:
            self.spent += time.perf_counter() - began
        contention = Contention(table=target.display, mode=target.mode, reader_seconds=self.options.reader_seconds,
                                rate=self.options.rate, as_written=as_written, with_timeout=with_timeout,
                                lock_timeout=timeout, lock_timeout_source=source)
        return contention

    def _run(self, dbapi: Any, target: Target, execute: Callable[[Any], object]) -> ContentionRun:
        scene = Scene(self._connect, target, dbapi.info.backend_pid, self.options)
        try:
            scene.begin()
            error = None
            with _savepoint(dbapi) as cursor:
                try:
                    execute(cursor)
                except psycopg.Error as exc:
                    error = first_line(exc)
                ended = time.perf_counter() - scene.epoch
            return scene.end(error, ended)
        finally:
            scene.close()

    def ran(self, contention: Contention) -> None:
        """The real run of a measured statement has returned: its lock is held until the transaction ends."""
        self._open.append((contention, time.perf_counter(), self.spent))

    def transaction_ended(self) -> None:
        """The lock of each statement measured in the transaction was held until now: add that to its hold, less
        the time later statements' scenes took (the deploy does not stage them)."""
        now = time.perf_counter()
        for contention, ran, spent in self._open:
            tail = max(0.0, (now - ran) - (self.spent - spent))
            for run in (contention.as_written, contention.with_timeout):
                if run is not None and not run.gave_up:
                    run.lock_held_ms = round(run.lock_held_ms + tail * 1000, 1)
        self._open = []
        self._measured = set()

    # -- outside a transaction -------------------------------------------------------------------------------
    def outside_transaction(self, dbapi: Any, statement: str, names: dict[str, str]) -> "Outside | None":
        """A statement in autocommit mode cannot be rolled back: its real run is the measured one. ``names``: the
        documented locks on existing relations (display name to mode); measured when one conflicts with
        readers or writers, or the statement is CONCURRENTLY (it waits for every older transaction)."""
        if not self._within_budget(statement):
            return None
        concurrently = "CONCURRENTLY" in statement.upper()
        wanted = {name: mode for name, mode in names.items() if mode in DANGEROUS or concurrently}
        if not wanted:
            return None
        with dbapi.cursor() as cursor:
            targets = _targets(cursor, _resolve(cursor, wanted))
            invalid = _leftovers(cursor)
        if not targets:
            return None
        scene = Scene(self._connect, targets[0], dbapi.info.backend_pid, self.options)
        try:
            scene.begin()
        except BaseException:
            scene.close()
            raise
        self.outside = Outside(self, scene, targets[0], invalid, time.perf_counter())
        return self.outside

    def close(self) -> None:
        """Replay is over (or was interrupted): nothing of a scene may outlive it."""
        if self.outside is not None:
            self.outside.abandon()

    def _within_budget(self, statement: str) -> bool:
        if self.spent < self.options.run_budget:
            return True
        self.unmeasured.append(f"{_short(statement)}: the contention budget of {self.options.run_budget:g} s "
                               "for the whole replay was spent")
        return False

    def _timeout(self, dbapi: Any) -> tuple[str, str]:
        with dbapi.cursor() as cursor:
            current = cursor.execute("SELECT current_setting('lock_timeout')").fetchone()[0]
        if duration_ms(current):
            return current, "the revision's own SET lock_timeout"
        return self.options.lock_timeout, self.options.lock_timeout_source


class Outside:
    """A statement outside a transaction, its scene running while its real run goes on."""

    def __init__(self, measurer: Measurer, scene: Scene, target: Target, leftovers_before: set[int],
                 began: float) -> None:
        self._measurer = measurer
        self._scene = scene
        self._target = target
        self._before = leftovers_before
        self._began = began
        self._alarm = _pause_alarm()

    def finish(self, dbapi: Any, error: str | None) -> Contention:
        self._measurer.outside = None
        try:
            run = self._scene.end(error)
        finally:
            self._scene.close()
            _resume_alarm(self._alarm)
            self._measurer.spent += time.perf_counter() - self._began
        note = "measured once: it cannot run in a transaction, so the real run was the measured one"
        if error is not None and dbapi is not None:
            try:
                removed = _clean_leftovers(dbapi, self._before)
            except psycopg.Error as exc:
                removed = [f"nothing (cleanup failed: {first_line(exc)})"]
            if removed:
                note += f"; removed what the failed run left behind: {', '.join(removed)}"
        return Contention(table=self._target.display, mode=self._target.mode,
                          reader_seconds=self._measurer.options.reader_seconds, rate=self._measurer.options.rate,
                          as_written=run, with_timeout=None, lock_timeout="", lock_timeout_source="", note=note)

    def abandon(self) -> None:
        self._measurer.outside = None
        self._scene.close()
        _resume_alarm(self._alarm)


# --------------------------------------------------------------------------------------------- helpers


def _stronger(mode: str, before: str | None) -> bool:
    return before is None or strength(mode) > strength(before)


def _resolve(cursor: Any, names: dict[str, str]) -> dict[int, str]:
    """Relations by display name to their oids (an index to its table's: DROP INDEX locks the table too)."""
    oids: dict[int, str] = {}
    for name, mode in names.items():
        row = cursor.execute("SELECT coalesce(i.indrelid, c.oid) FROM pg_catalog.pg_class c "
                             "LEFT JOIN pg_catalog.pg_index i ON i.indexrelid = c.oid "
                             "WHERE c.oid = to_regclass(%s)", [name]).fetchone()
        if row is not None and strength(mode) > strength(oids.get(row[0], "")):
            oids[row[0]] = mode
    return oids


def _targets(cursor: Any, modes: dict[int, str]) -> list[Target]:
    """The tables among ``modes``' relations, strongest lock first."""
    if not modes:
        return []
    rows = cursor.execute(_TARGET_SQL, [list(modes)]).fetchall()
    found = [Target(oid, schema, name, kind, modes[oid]) for oid, schema, name, kind in rows if kind in TABLE_KINDS]
    return sorted(found, key=lambda t: (-strength(t.mode), t.schema, t.name))


@contextlib.contextmanager
def _savepoint(dbapi: Any) -> Iterator[Any]:
    """A savepoint rolled back at the end whatever happened in it: the statement's effects, its locks and any
    SET LOCAL are undone, and the transaction goes on as before."""
    with dbapi.cursor() as cursor:
        cursor.execute(f"SAVEPOINT {_SAVEPOINT}")
        try:
            yield cursor
        finally:
            cursor.execute(f"ROLLBACK TO SAVEPOINT {_SAVEPOINT}")
            cursor.execute(f"RELEASE SAVEPOINT {_SAVEPOINT}")


def _execute(cursor: Any, statement: str, parameters: Any) -> None:
    # As SQLAlchemy's dialect calls the driver: without parameters the statement is not a template.
    if parameters:
        cursor.execute(statement, parameters)
    else:
        cursor.execute(statement)


_LEFTOVERS_SQL = """
SELECT c.oid FROM pg_catalog.pg_index i JOIN pg_catalog.pg_class c ON c.oid = i.indexrelid WHERE NOT i.indisvalid
UNION ALL SELECT inhrelid FROM pg_catalog.pg_inherits WHERE inhdetachpending
"""


def _leftovers(cursor: Any) -> set[int]:
    try:
        return {row[0] for row in cursor.execute(_LEFTOVERS_SQL).fetchall()}
    except psycopg.errors.UndefinedColumn:  # inhdetachpending is PostgreSQL 14+
        return {row[0] for row in cursor.execute(_LEFTOVERS_SQL.split("UNION ALL")[0]).fetchall()}


def _clean_leftovers(dbapi: Any, before: set[int]) -> list[str]:
    """Drop the INVALID indexes and finish the pending DETACHes a failed CONCURRENTLY run left (only new ones)."""
    removed = []
    with dbapi.cursor() as cursor:
        for oid in sorted(_leftovers(cursor) - before):
            row = cursor.execute(
                "SELECT n.nspname, c.relname, c.relkind, p.nspname, pc.relname FROM pg_catalog.pg_class c "
                "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
                "LEFT JOIN pg_catalog.pg_inherits h ON h.inhrelid = c.oid "
                "LEFT JOIN pg_catalog.pg_class pc ON pc.oid = h.inhparent "
                "LEFT JOIN pg_catalog.pg_namespace p ON p.oid = pc.relnamespace WHERE c.oid = %s", [oid]).fetchone()
            if row is None:
                continue
            schema, name, kind, parent_schema, parent = row
            try:
                if kind in ("i", "I"):
                    cursor.execute(sql.SQL("DROP INDEX IF EXISTS {}").format(sql.Identifier(schema, name)))
                    removed.append(f"INVALID index {name}")
                elif parent is not None:
                    cursor.execute(sql.SQL("ALTER TABLE {} DETACH PARTITION {} FINALIZE").format(
                        sql.Identifier(parent_schema, parent), sql.Identifier(schema, name)))
                    removed.append(f"pending DETACH of {name}")
            except psycopg.Error:
                continue
    return removed


def _pause_alarm() -> tuple[float, float] | None:
    """Stop the revision timeout's SIGALRM timer (contention waits do not count against it); main thread only."""
    if not hasattr(signal, "setitimer") or threading.current_thread() is not threading.main_thread():
        return None
    return signal.setitimer(signal.ITIMER_REAL, 0)


def _resume_alarm(saved: tuple[float, float] | None) -> None:
    if saved is not None and saved[0]:
        signal.setitimer(signal.ITIMER_REAL, saved[0], saved[1])


@contextlib.contextmanager
def _alarm_paused() -> Iterator[None]:
    saved = _pause_alarm()
    try:
        yield
    finally:
        _resume_alarm(saved)


def _short(statement: str) -> str:
    text = " ".join(statement.split())
    return text if len(text) <= 60 else text[:59] + "…"


