"""A stand-in for ``op.get_bind()`` in offline mode.

Alembic's offline connection is a mock whose ``execute()`` returns None and which has no ``commit()``, so data
migrations crash under ``--sql``. We give revisions a real SQLAlchemy :class:`~sqlalchemy.engine.Connection`
on the PostgreSQL dialect instead, backed by a DBAPI that records every statement and returns no rows. Core,
ORM sessions, ``text()`` and ``exec_driver_sql`` all work; every statement reaches the recorder in order with
the Alembic operations.

Offline there is no data, so code guarded by query results (``while conn.execute(count).scalar() > 0:``,
``if conn.execute(select).first():``, ``for row in conn.execute(...)``) would never run and its back-fill and
COMMIT would never be seen. The control decides, read by read, whether to answer one row of placeholder values
instead (:meth:`DriverControl.answer_rows`): the recorder answers the first read at each line of the revision
and none after, so every guarded body runs once and every loop ends.

The connection's mode switches (``dbapi_connection.autocommit``, psycopg2's ``set_isolation_level``,
``execution_options(isolation_level=...)``) reach a :class:`DriverControl` (the recorder), which knows the
transaction state and raises what the real driver or SQLAlchemy would raise.
"""

from __future__ import annotations

import contextlib
import re
import types
from typing import Any, Callable, Iterator, Protocol

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Connection
from sqlalchemy.pool import StaticPool

SqlSink = Callable[[str, str, Any], None]  # (sql, kind, parameters); kind is "execute" or "commit"


class DriverControl(Protocol):
    driver_state: Any  # .autocommit: whether the connection autocommits now
    # Set while a second connection the revision opened runs a statement: "autocommit" or "joined" (see
    # RecordingConnection._as_its_own_session); None for the migration's own connection.
    detached: str | None

    def set_autocommit(self, value: bool) -> None: ...

    def set_isolation_level(self, level: int) -> None: ...

    def set_connection_isolation_level(self, level: str) -> None: ...

    def answer_rows(self, sql: str) -> bool:
        """Whether this read (or UPDATE/DELETE's row count) is answered as if rows existed."""
        ...

    def answered_columns(self, sql: str) -> list[tuple[str, Any]] | None:
        """For an answered read SQLAlchemy knows no columns of (``text()``): their names and values."""
        ...


_FROM = re.compile(r"\bFROM\b")


class _NoControl:
    """Without a recorder (tests of the stand-in alone): the switches are remembered and change nothing."""

    def __init__(self) -> None:
        from migsafe.recording.recorder import DriverState

        self.driver_state = DriverState()
        self.detached: str | None = None

    def set_autocommit(self, value: bool) -> None:
        from dataclasses import replace

        self.driver_state = replace(self.driver_state, autocommit=value)

    def set_isolation_level(self, level: int) -> None:
        self.set_autocommit(level == 0)

    def set_connection_isolation_level(self, level: str) -> None:
        self.set_autocommit(level.upper() == "AUTOCOMMIT")

    def answer_rows(self, sql: str) -> bool:
        return False

    def answered_columns(self, sql: str) -> list[tuple[str, Any]] | None:
        return None


def placeholder_for_sql_type(sql_type: Any) -> Any:
    """A value a column of this PostgreSQL type (``migsafe.sql.actions.SqlType``) could hold, as psycopg2
    hands it over; 1 when the type is unknown."""
    import datetime
    import decimal

    if sql_type is None or getattr(sql_type, "array", False):
        return [] if sql_type is not None else 1
    name = str(getattr(sql_type, "name", "")).lower()
    if name in ("int2", "int4", "int8", "smallint", "integer", "bigint", "serial", "bigserial", "oid"):
        return 1
    if name in ("varchar", "text", "bpchar", "char", "citext", "name"):
        return "1"
    if name in ("bool", "boolean"):
        return True
    if name in ("timestamp", "timestamptz"):
        return datetime.datetime(2000, 1, 1)
    if name == "date":
        return datetime.date(2000, 1, 1)
    if name in ("time", "timetz"):
        return datetime.time(0, 0)
    if name == "interval":
        return datetime.timedelta(0)
    if name in ("numeric", "decimal"):
        return decimal.Decimal(1)
    if name in ("float4", "float8", "real", "double precision"):
        return 1.0
    if name in ("json", "jsonb"):
        return {}
    if name == "uuid":
        return "00000000-0000-0000-0000-000000000001"
    if name == "bytea":
        return b"1"
    return 1


def placeholder(type_: Any) -> Any:
    """A value a column of this SQLAlchemy type could hold, as the driver hands it over (the type's result
    processor still runs): code reading an answered row gets something of the right kind (``row.id + 1``,
    ``row.created.year``, an Enum member), not None. Unknown types get 1 (truthy, a number, a usable id)."""
    import datetime
    import decimal

    enums = getattr(type_, "enums", None)
    if enums:
        return enums[0]
    try:
        python_type = type_.python_type if type_ is not None else None
    except (NotImplementedError, AttributeError):
        python_type = None
    if python_type is None:
        return 1
    values: dict[type, Any] = {
        bool: True, int: 1, float: 1.0, decimal.Decimal: decimal.Decimal(1), str: "1", bytes: b"1",
        dict: {}, list: [], datetime.datetime: datetime.datetime(2000, 1, 1), datetime.date: datetime.date(2000, 1, 1),
        datetime.time: datetime.time(0, 0), datetime.timedelta: datetime.timedelta(0),
    }
    try:
        if python_type in values:
            return values[python_type]
        if python_type.__name__ == "UUID":
            return "00000000-0000-0000-0000-000000000001"
    except Exception:  # noqa: BLE001 - a stand-in type answers anything: take the default
        pass
    return 1


class _Cursor:
    arraysize = 1
    lastrowid = None

    def __init__(self, conn: "_DBAPIConnection") -> None:
        self.connection = conn
        self.description: list[tuple[Any, ...]] | None = None
        self.rowcount = 0
        self._rows: list[tuple[Any, ...]] = []
        self.next_description: list[tuple[Any, ...]] | None = None
        self.next_types: list[Any] | None = None

    def execute(self, sql: str, params: Any = None) -> None:
        self.connection.sink(sql, "execute", params)
        self._prepare(sql)

    def executemany(self, sql: str, seq: Any) -> None:
        for params in seq or [None]:
            self.connection.sink(sql, "execute", params)
        self._prepare(sql)

    def _prepare(self, sql: str) -> None:
        from migsafe.sql.analysis import driver_sql_to_postgres, result_shape, statement_head

        description, self.next_description = self.next_description, None
        types_, self.next_types = self.next_types, None
        head = statement_head(sql)
        self._rows = []
        reads = head.startswith(("SELECT", "WITH"))
        answer = (reads or head.startswith(("UPDATE", "DELETE"))) and self.connection.control.answer_rows(sql)
        shape = result_shape(driver_sql_to_postgres(sql)) if head.startswith("SELECT") else None
        if shape is not None:
            names, row = shape
            if description is None:
                description = [(name, None, None, None, None, None, None) for name in names]
            if row is not None and len(row) == len(description):
                # count(*) and friends answer one row on any database, even an empty one; answered as if
                # rows existed, a count is 1 and an unknown value a placeholder.
                # (FROM at the start of a line of a multi-line text() counts too: a missed one answered the
                # loop's guard with 0, and the guarded body, its COMMIT included, was never seen.)
                from_clause = _FROM.search(head) is not None
                self._rows = [tuple(1 if answer and (value is None or (value == 0 and from_clause)) else value
                                    for value in row)]
        elif description is None and (head.startswith(("SELECT", "WITH", "SHOW", "VALUES", "TABLE"))
                                      or " RETURNING " in head):
            description = [("?column?", None, None, None, None, None, None)]
        self.description = description
        if answer and reads and description and not self._rows:
            known = self.connection.control.answered_columns(sql) if types_ is None else None
            if known:
                # text(): the model knows the table's columns (SELECT * included) and their types.
                description = [(name, None, None, None, None, None, None) for name, _ in known]
                self.description = description
                self._rows = [tuple(value for _, value in known)]
            else:
                kinds = types_ if types_ is not None and len(types_) == len(description) \
                    else [None] * len(description)
                self._rows = [tuple(placeholder(kind) for kind in kinds)]
        # An ORM flush needs the primary key an INSERT ... RETURNING produced; hand back a placeholder row.
        if description and head.startswith("INSERT") and " RETURNING " in head:
            self._rows = [tuple(1 for _ in description)]
        self.rowcount = len(self._rows)
        if answer and not reads:
            self.rowcount = 1  # a batched UPDATE ... WHERE id IN (... LIMIT n) loop goes on while rows change

    def fetchone(self) -> tuple[Any, ...] | None:
        return self._rows.pop(0) if self._rows else None

    def fetchmany(self, size: int | None = None) -> list[tuple[Any, ...]]:
        rows, self._rows = self._rows, []
        return rows

    def fetchall(self) -> list[tuple[Any, ...]]:
        rows, self._rows = self._rows, []
        return rows

    def close(self) -> None:
        pass

    def setinputsizes(self, *args: Any) -> None:
        pass

    def __iter__(self) -> Any:
        return iter(self.fetchall())


class _DBAPIConnection:
    notices: list[str] = []

    def __init__(self, sink: SqlSink, control: DriverControl) -> None:
        self.sink = sink
        self.control = control

    @property
    def autocommit(self) -> bool:
        return bool(self.control.driver_state.autocommit)

    @autocommit.setter
    def autocommit(self, value: bool) -> None:
        self.control.set_autocommit(bool(value))

    def set_isolation_level(self, level: int) -> None:
        self.control.set_isolation_level(int(level))

    def cursor(self, *args: Any, **kwargs: Any) -> _Cursor:
        return _Cursor(self)

    def commit(self) -> None:
        self.sink("COMMIT", "commit", None)

    def rollback(self) -> None:
        pass

    def close(self) -> None:
        pass


def _dbapi_module() -> types.ModuleType:
    module = types.ModuleType("migsafe_recording_dbapi")
    module.paramstyle = "pyformat"  # type: ignore[attr-defined]
    module.apilevel = "2.0"  # type: ignore[attr-defined]
    module.threadsafety = 1  # type: ignore[attr-defined]
    module.__version__ = "2.9.10"  # type: ignore[attr-defined]
    for name in ("Error", "Warning", "InterfaceError", "DatabaseError", "OperationalError", "ProgrammingError",
                 "IntegrityError", "DataError", "NotSupportedError", "InternalError"):
        setattr(module, name, type(name, (Exception,), {}))
    module.connect = lambda *a, **k: None  # type: ignore[attr-defined]
    return module


class RecordingConnection(Connection):
    """A Connection whose transaction handling mirrors Alembic's online connection.

    Alembic runs a revision inside a transaction on this connection, so ``commit()`` always commits something
    (and is recorded), and the connection begins a new transaction afterwards, as SQLAlchemy's autobegin does
    on the next statement.
    """

    # Set on a second connection the revision opened itself (``op.get_bind().engine.connect()``): under
    # ``alembic upgrade`` it is another session, with its own transaction, whose isolation level and commits
    # leave the migration's connection as they found it. Its statements are recorded with the migration's;
    # only how they run differs (see Recorder.detached).
    _migsafe_secondary = False
    _migsafe_autocommit = False  # that connection switched to AUTOCOMMIT: each statement commits on its own

    def commit(self) -> None:
        if not self.in_transaction():
            self.begin()
        # What 2.x's Connection.commit() does, spelled so SQLAlchemy 1.4's Connection (which has none) does it too.
        self.get_transaction().commit()
        self.begin()

    def execution_options(self, **options: Any) -> Any:
        level = options.pop("isolation_level", None)
        if level is not None and self._migsafe_secondary:
            self._migsafe_autocommit = str(level).upper() == "AUTOCOMMIT"
        elif level is not None:
            # SQLAlchemy's own check reads this stand-in's transaction, which does not follow Alembic's
            # per-revision BEGINs: the recorder decides instead.
            self.engine._migsafe_control.set_connection_isolation_level(str(level))  # type: ignore[attr-defined]
        return super().execution_options(**options) if options else self

    def _execute_context(self, *args: Any, **kwargs: Any) -> Any:
        with self._as_its_own_session():
            return super()._execute_context(*args, **kwargs)  # type: ignore[misc]

    def _commit_impl(self, *args: Any, **kwargs: Any) -> None:
        with self._as_its_own_session():
            super()._commit_impl(*args, **kwargs)  # type: ignore[misc]

    @contextlib.contextmanager
    def _as_its_own_session(self) -> Iterator[None]:
        control = self.engine._migsafe_control  # type: ignore[attr-defined]
        if not self._migsafe_secondary:
            yield
            return
        before = control.detached
        control.detached = "autocommit" if self._migsafe_autocommit else "joined"
        try:
            yield
        finally:
            control.detached = before

    def execute(self, statement: Any, *multiparams: Any, **kwargs: Any) -> Any:
        if isinstance(statement, str):
            # SQLAlchemy 1.x accepted plain strings; revisions written then still do it. Run them as the
            # driver-level SQL they were (under 2.x, a shimmed idiom: see recording.idioms).
            from migsafe.recording import idioms

            if idioms.MAJOR >= 2:
                idioms.used("plain SQL string in Connection.execute()")
            return self.exec_driver_sql(statement, multiparams[0] if multiparams else ())
        # SQLAlchemy 1.4's Connection takes *multiparams, 2.x's one ``parameters`` (recording.idioms shims the
        # 1.x forms under 2.x while a revision runs).
        return super().execute(statement, *multiparams, **kwargs)

    def close(self) -> None:
        # A revision closing the migration's connection would break every later operation; nothing to record.
        pass


def recording_connection(sink: SqlSink, schema_source: Callable[[], Any] | None = None,
                         default_schema: Callable[[], str] = lambda: "public",
                         driver: DriverControl | None = None,
                         server_version: tuple[int, ...] | None = None,
                         unknown_table: Callable[[Any], bool] = lambda name: False) -> Connection:
    """``server_version``: what ``dialect.server_version_info`` answers (online branches compare it, e.g.
    ``if bind.dialect.server_version_info >= (11,)``); the review's ``--pg-version``."""
    control = driver if driver is not None else _NoControl()
    engine = create_engine(
        "postgresql+psycopg2://",
        module=_dbapi_module(),
        creator=lambda: _DBAPIConnection(sink, control),
        poolclass=StaticPool,
        _initialize=False,  # no server to ask for its version: the dialect keeps its defaults
    )
    if server_version is not None:
        engine.dialect.server_version_info = server_version
    # SQLAlchemy offers no public hook for the Connection class; the subclass only adjusts commit/close.
    engine._connection_cls = RecordingConnection  # type: ignore[attr-defined]
    engine._migsafe_control = control  # type: ignore[attr-defined]
    if schema_source is not None:
        from migsafe.recording.reflection import schema_model_inspector

        # sa.inspect() and autoload_with= build the dialect's `inspector` class: answer from the model.
        engine.dialect.inspector = schema_model_inspector(  # type: ignore[attr-defined]
            schema_source, default_schema, unknown_table)

    @event.listens_for(engine, "before_cursor_execute")
    def _describe(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool) -> None:
        # Give the ORM the column names it expects, so an empty result maps cleanly.
        compiled = getattr(context, "compiled", None)
        columns = getattr(compiled, "_result_columns", None) if compiled is not None else None
        if columns:
            cursor.next_description = [(c[1], None, None, None, None, None, None) for c in columns]
            cursor.next_types = [c[3] for c in columns]

    connection = engine.connect()
    connection.begin()
    # ``op.get_bind().engine.begin()`` (or ``create_all(bind=op.get_bind().engine)``) checks out a second
    # connection under ``alembic upgrade`` and commits it on its own; Alembic's transaction goes on. Here the
    # engine's connections share one recording DBAPI connection, so that commit would be recorded as a COMMIT of
    # the migration's transaction (a bare-commit that is not there). The engine a revision reaches through the
    # connection is the one engines built for the project's URL are: its begin() joins the migration's
    # transaction, the same model as theirs.
    from migsafe.recording.engines import migration_engine

    connection.engine = migration_engine(connection, secondary=True)
    return connection
