"""The recorder: turns what Alembic emits in offline mode into :class:`~migsafe.model.Statement` records.

Alembic renders every operation through ``impl.static_output`` in ``--sql`` mode, including the ``BEGIN`` and
``COMMIT`` of its transaction handling and of ``autocommit_block()``. The recorder receives that stream, knows
from :mod:`migsafe.recording.operations` which operation is running, parses each statement with pglast, keeps
track of whether a transaction is open, snapshots the tables a statement touches and then applies the
statement to the schema model.

Whether a statement runs inside a transaction is the server's view, and three parties decide it: Alembic
(``BEGIN``/``COMMIT`` around each revision or the whole upgrade, ``autocommit_block()``), SQLAlchemy's
Connection (autobegin after ``conn.commit()``) and the DBAPI driver, which sends the ``BEGIN`` itself before
the first statement unless the revision switched it to autocommit (``dbapi_connection.autocommit = True``,
psycopg2's ``set_isolation_level(0)``, ``execution_options(isolation_level="AUTOCOMMIT")``).
:class:`DriverState` is what the driver and SQLAlchemy believe; checked against SQLAlchemy 2, psycopg2 and
psycopg 3 on PostgreSQL 15.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields, replace
from typing import Any, Callable

from migsafe.envpy import Driver

from migsafe.model import Note, RecordedOperation, RecordedRevision, Statement
from migsafe.recording.source import LineMap
from migsafe.recording.stubs import take_rendered_types
from migsafe.recording.tracking import OperationTracker
from migsafe.schema import Schema
from migsafe.sql import actions as A
from migsafe.sql.analysis import (ParsedStatement, catalog_query, driver_sql_to_postgres, parse, parse_type,
                                  standin_types, statement_head)

_IGNORE_SQL_RE = re.compile(r"--\s*migsafe:\s*ignore(?:\[([^\]]*)\])?", re.IGNORECASE)


@dataclass(frozen=True)
class DriverState:
    """What the DBAPI connection and SQLAlchemy's Connection believe about the transaction.

    The server's view (``Recorder.in_transaction``) can differ: a bare ``COMMIT`` ends the server's transaction
    without the driver knowing, so psycopg2 sends no new ``BEGIN`` (its own note says one is open) while
    psycopg 3 asks the server and opens a new one. A switch to autocommit lasts, across revisions, until the
    revision switches back or an ``autocommit_block()`` ends (Alembic restores the level it read, which is
    never AUTOCOMMIT).
    """

    autocommit: bool = False  # the revision switched the DBAPI connection to autocommit
    begun: bool = False  # the driver opened a transaction and has not committed it through its API
    used: bool = True  # a statement ran since that opening: the driver has sent its BEGIN
    sqlalchemy_idle: bool = False  # after conn.commit(), before the next statement: SQLAlchemy holds no transaction


class Recorder(OperationTracker):
    def __init__(self, schema: Schema, default_schema: str = "public", driver: Driver | None = None) -> None:
        super().__init__()
        self.driver = driver or Driver()
        self.driver_state = DriverState()
        self.server_version: tuple[int, ...] | None = None  # the bind's server_version_info (--pg-version)
        self.unknown_table: Callable[[Any], bool] = lambda name: False  # see reflection.StandInTables
        self.schema = schema
        self.default_schema = default_schema
        self.in_transaction = False
        self.transaction: int | None = None
        self._transaction_counter = 0
        self._bind: Any = None
        self._index = 0
        self.capturing = True  # False while recording a downgrade for evidence only
        # Speculative recording (migsafe.recording.tail): statements are recorded without the schema model,
        # which the parent process applies later; ``model_reads`` counts the times the revision's execution
        # asked the model something (reflection, batch recreate), which makes that recording unusable.
        self.speculative = False
        self.model_reads = 0
        self.autocommit = False  # inside ``autocommit_block()``
        # Reads answered as if rows existed (see answer_rows): on while ``answering``, the lines answered so far.
        self.answering = False
        self.answered: list[tuple[int, bool]] = []  # (line, whether a read rather than a write's row count)
        # Lines where the revision read the system catalogs (answered with no rows: see _on_bind_sql).
        self.catalog_reads: list[int] = []
        # While a second connection the revision opened runs a statement (bind.RecordingConnection): "autocommit"
        # when that connection autocommits (its statements run outside any transaction), "joined" otherwise
        # (recorded as part of the migration's transaction); its commits are its own. None: the migration's.
        self.detached: str | None = None
        self._bind_line: int | None = None

    def start_revision(self, revision: RecordedRevision, upgrade_code: Any, linemap: LineMap) -> None:
        super().start_revision(revision, upgrade_code, linemap)
        self._index = 0
        self.catalog_reads = []

    def stubbed_read(self, revision: RecordedRevision, line: int, table: str) -> None:
        """Record the read an ORM query on a stubbed model would have made (the query itself could not run)."""
        from migsafe.model import RecordedOperation

        self.revision = revision
        rec = RecordedOperation(name="bind.execute", line=line, end_line=line)
        revision.operations.append(rec)
        quoted = '"' + table.replace('"', '""') + '"'
        try:
            self._ingest(f"SELECT * FROM {quoted}", rec, "bind")
        finally:
            self.revision = None

    def checkpoint(self) -> tuple[Any, ...]:
        """The model and transaction state, to retry a revision from the same starting point (table values
        are immutable, so copying the dictionaries is enough)."""
        return (dict(self.schema.tables), dict(self.schema.enums), dict(self.schema.indexes), self.default_schema,
                self.in_transaction, self.transaction, self._transaction_counter, self.driver_state)

    def restore(self, checkpoint: tuple[Any, ...]) -> None:
        (tables, enums, indexes, self.default_schema, self.in_transaction, self.transaction,
         self._transaction_counter, self.driver_state) = checkpoint
        self.schema.tables, self.schema.enums, self.schema.indexes = dict(tables), dict(enums), dict(indexes)

    # -- the bind --------------------------------------------------------------------------------------------
    def bind(self) -> Any:
        if self._bind is None:
            from migsafe.recording.bind import recording_connection

            self._bind = recording_connection(self._on_bind_sql, self._model_for_execution,
                                              lambda: self.default_schema, driver=self,
                                              server_version=self.server_version,
                                              unknown_table=self.unknown_table)
        return self._bind

    def _begin_on_bind(self) -> None:
        """Alembic begins its transaction on the connection a revision gets from ``op.get_bind()``: after an
        earlier revision's ``session.rollback()`` ended SQLAlchemy's transaction there, the stand-in must hold
        one again, or an ORM Session of this revision would take control of a transaction of its own and its
        ``commit()`` would commit (inside Alembic's transaction it commits nothing)."""
        if self._bind is not None and not self._bind.in_transaction():
            self._bind.begin()

    def recover_bind(self) -> None:
        """A revision stopped in the middle of a statement (a timeout, ``sys.exit()`` from a bind processor)
        leaves SQLAlchemy's transaction on the stand-in connection invalid, and every later revision would fail
        with PendingRollbackError. A real run ends there; the review goes on with the clean connection the
        next run would have."""
        if self._bind is None:
            return
        transaction = self._bind.get_transaction()
        if transaction is not None and not transaction.is_valid:
            transaction.rollback()  # Connection.rollback() is 2.x only
            self._bind.begin()

    def _model_for_execution(self) -> Schema:
        self.model_reads += 1
        return self.schema

    def answer_rows(self, sql: str) -> bool:
        """Whether the stand-in connection answers this read (an UPDATE/DELETE: its row count) as if rows
        existed: the first time each line of the revision reads (or writes), and never again in this recording. Code
        guarded by query results then runs once (a ``while count > 0`` loop body, an ``if ...first():``
        branch, a ``for row in ...`` body), and every loop whose guard reads at a line ends on its second pass.
        SQLAlchemy's own catalog checks are answered from nothing, as before (a row there means "exists")."""
        line = self._bind_line
        if not self.answering or self.revision is None or not self.capturing or line is None:
            return False
        # Reads and writes are counted apart: an ORM autoflush's UPDATE runs at the line of the next query.
        read = statement_head(sql).startswith(("SELECT", "WITH"))
        if (line, read) in self.answered or catalog_query(driver_sql_to_postgres(sql)):
            return False
        self.answered.append((line, read))
        return True

    def answered_columns(self, sql: str) -> list[tuple[str, Any]] | None:
        """Names and placeholder values of the columns a plain ``SELECT`` from one table returns, from the
        schema model (``text("SELECT * FROM t")`` has no SQLAlchemy types): a ``created_at`` column gets a
        datetime, a ``month`` varchar a string. None when the statement is not that simple."""
        from pglast import ast as pg

        from migsafe.recording.bind import placeholder_for_sql_type
        from migsafe.sql.analysis import parse_sql

        try:
            [raw] = parse_sql(driver_sql_to_postgres(sql))
        except Exception:  # noqa: BLE001 - not one statement pglast reads: no columns to offer
            return None
        select = raw.stmt
        if not isinstance(select, pg.SelectStmt) or not select.targetList or not select.fromClause \
                or len(select.fromClause) != 1 or not isinstance(select.fromClause[0], pg.RangeVar):
            return None
        relation = select.fromClause[0]
        name = A.QName(relation.schemaname or self.default_schema, relation.relname)
        table = self.schema.tables.get(name)
        columns: list[tuple[str, Any]] = []
        for target in select.targetList:
            value = target.val
            fields = value.fields if isinstance(value, pg.ColumnRef) else None
            if fields and isinstance(fields[-1], pg.A_Star):
                if table is None:
                    return None
                columns.extend((column.name, placeholder_for_sql_type(column.type))
                               for column in table.columns.values())
            elif fields and isinstance(fields[-1], pg.String):
                column = table.columns.get(fields[-1].sval) if table is not None else None
                columns.append((target.name or fields[-1].sval,
                                placeholder_for_sql_type(column.type if column is not None else None)))
            else:
                return None
        return columns

    def _on_bind_sql(self, sql: str, kind: str, parameters: Any = None) -> None:
        if self.revision is None:
            return
        rec = self._stack[-1][0] if self._stack else self.new_operation("bind.execute")
        self._bind_line = rec.line
        if kind == "commit" and self.detached is not None:
            return  # another connection's commit: the migration's transaction goes on
        if kind == "commit":
            rec = self._stack[-1][0] if self._stack else rec
            rec.name = rec.name if self._stack else "bind.commit"
            if self.driver_state.autocommit:
                # The driver's commit() sends nothing in autocommit mode.
                self.driver_state = replace(self.driver_state, sqlalchemy_idle=True)
                return
            self._record(_transaction_statement("commit"), rec, "bind", "")
            self.driver_state = replace(self.driver_state, begun=False, sqlalchemy_idle=True)
            # SQLAlchemy begins a new transaction on the connection's next statement, except in an autocommit
            # block, where the connection autocommits every statement.
            if not self.autocommit:
                self.driver_begin()
            return
        pg_sql = driver_sql_to_postgres(sql)
        if catalog_query(pg_sql):
            # SQLAlchemy's own existence checks (Enum.create(checkfirst=True), has_table, ...): not the
            # revision's work, and nothing a rule should see. Answered with no rows, as before; the line is kept
            # so that a revision failing on that answer (``if not index_valid(): raise``) is a partial review.
            if self.capturing:
                self.catalog_reads.append(rec.line)
            return
        self._ingest(pg_sql, rec, "bind", bound_strings(parameters))
        reads = statement_head(sql).startswith(("SELECT", "WITH", "SHOW")) or " RETURNING " in sql.upper()
        if reads and self.capturing and not any(n.kind == "data-dependent" for n in self.revision.notes):
            self.revision.notes.append(Note(
                kind="data-dependent",
                message="reads query results through op.get_bind(); offline review sees no rows, so code that "
                        "depends on the data was not exercised",
                path=self.revision.path, line=rec.line, revision=self.revision.revision))

    # -- Alembic's output stream -----------------------------------------------------------------------------
    def on_output(self, text: str) -> None:
        """Replacement for ``impl.static_output``: every statement Alembic renders arrives here."""
        sql = text.strip()
        if not self._stack:
            word = sql.rstrip(";").strip().upper()
            if word == "BEGIN":
                self.driver_state = replace(self.driver_state, sqlalchemy_idle=False)
                self.driver_begin()
                self._begin_on_bind()
                return
            if word == "COMMIT":
                # Alembic commits through the driver's API: the driver's own note is cleared too.
                self.end_transaction()
                self.driver_state = replace(self.driver_state, begun=False)
                return
            if self.revision is None:
                return
            rec = self.new_operation("alembic")
            self._ingest(sql, rec, "op")
            return
        rec, source = self._stack[-1]
        if self.revision is None:
            return
        self._ingest(sql, rec, source)

    def begin_transaction(self) -> None:
        self._transaction_counter += 1
        self.in_transaction = True
        self.transaction = self._transaction_counter

    def end_transaction(self) -> None:
        self.in_transaction = False
        self.transaction = None

    def start_upgrade(self) -> None:
        """A revision's upgrade starts as an ``alembic upgrade`` of its own starts it, on a new connection inside
        Alembic's transaction, when the whole upgrade is one transaction (``transaction_per_migration=False``).

        The recording runs the whole history as one upgrade. A bare ``COMMIT`` (``op.execute("COMMIT")`` before
        ``ALTER TYPE ... ADD VALUE``) ends the server's transaction, and psycopg2, which goes by its own note,
        sends no new ``BEGIN``: in that one upgrade every later revision runs outside a transaction (checked on
        PostgreSQL 15). That holds only for revisions deployed in the same upgrade; a revision deployed later
        (by default each revision is its own deploy, see :mod:`migsafe.deploy`) starts in Alembic's
        transaction. A revision's switch of the connection to autocommit is kept: the recording lets it last
        into the next revisions."""
        if self.in_transaction or self.autocommit or self.driver_state.autocommit:
            return
        self.driver_state = replace(self.driver_state, begun=False, sqlalchemy_idle=False)
        self.driver_begin()
        self._begin_on_bind()

    def driver_begin(self) -> None:
        """The driver opens a transaction for the next statement (Alembic's BEGIN, SQLAlchemy's autobegin) unless
        the connection autocommits. It sends the BEGIN with that statement; until then the transaction is
        ``used=False`` and switching to autocommit ends it without a trace."""
        if self.driver_state.autocommit:
            return
        self.begin_transaction()
        self.driver_state = replace(self.driver_state, begun=True, used=False)

    # -- the driver's switches (called by the stand-in connection, migsafe.recording.bind) ----------------------
    def _driver_in_transaction(self) -> bool:
        """Whether the driver refuses to change its mode now: psycopg2 goes by its own note, psycopg 3 by the
        server's transaction status."""
        state = self.driver_state
        if self.driver.reopens_after_commit:
            return self.in_transaction and state.used
        return state.begun and state.used and not state.autocommit

    def set_autocommit(self, value: bool) -> None:
        """``dbapi_connection.autocommit = value``: both drivers refuse inside a transaction."""
        if value == self.driver_state.autocommit:
            return
        if self._driver_in_transaction():
            raise _driver_error(self.driver, "autocommit")
        self._switch(value)

    def set_isolation_level(self, level: int) -> None:
        """psycopg2's ``connection.set_isolation_level(level)`` (0 is autocommit). Inside a transaction psycopg2
        sends ROLLBACK first: the work so far is thrown away, and it is recorded as that ROLLBACK."""
        if self.driver.reopens_after_commit:
            if self._driver_in_transaction():
                raise _driver_error(self.driver, "isolation_level")
            if level == 0:
                raise ValueError("0 is not a valid IsolationLevel")
            self._switch(False)
            return
        if self._driver_in_transaction():
            if self.revision is not None:
                rec = self.new_operation("bind.set_isolation_level")
                self._record(_transaction_statement("rollback"), rec, "bind", "")
            self.end_transaction()
            self.driver_state = replace(self.driver_state, begun=False)
        self._switch(level == 0, reopen=True)

    def set_connection_isolation_level(self, level: str) -> None:
        """``connection.execution_options(isolation_level=level)``: SQLAlchemy refuses while it holds a
        transaction (Alembic's, or the one it began on the statement after ``conn.commit()``)."""
        if not self.driver_state.sqlalchemy_idle:
            from sqlalchemy import exc

            raise exc.InvalidRequestError(
                "This connection has already initialized a SQLAlchemy Transaction() object via begin() or "
                "autobegin; isolation_level may not be altered unless rollback() or commit() is called first.")
        self._switch(level.upper() == "AUTOCOMMIT", reopen=True)

    def end_autocommit_block(self) -> None:
        """Alembic's ``autocommit_block()`` ends by restoring the isolation level it read when it began, which
        SQLAlchemy reads from the server and is never AUTOCOMMIT: a switch made before the block ends with it."""
        self.driver_state = replace(self.driver_state, autocommit=False)

    def _switch(self, autocommit: bool, reopen: bool = False) -> None:
        state = self.driver_state
        if autocommit:
            if self.in_transaction and state.begun and not state.used:
                self.end_transaction()  # opened in the model only: the driver never sent its BEGIN
            self.driver_state = replace(state, autocommit=True, begun=False)
        else:
            was = state.autocommit
            self.driver_state = replace(state, autocommit=False)
            if (was or reopen) and not self.in_transaction and not self.driver_state.begun:
                self.driver_begin()  # the driver begins again before the next statement

    def _ingest(self, sql: str, rec: RecordedOperation, source: str,
                bound: frozenset[str] = frozenset()) -> None:
        with standin_types(take_rendered_types()):  # the stand-in types this statement's rendering spelled
            parsed = parse(sql, self.default_schema)
            if parsed and parsed[0].error and "%(" in sql:
                # text() with bound parameters renders DBAPI placeholders; give pglast something it can read.
                parsed = parse(driver_sql_to_postgres(sql), self.default_schema)
        previous_end = 0
        # Values bound to parameters are uses of a label too (an enum value set through :param).
        bound = bound | rec.bound_literals
        for stmt in parsed:
            self._record(stmt, rec, source, sql, previous_end, bound)
            previous_end = stmt.end

    def _record(self, parsed: ParsedStatement, rec: RecordedOperation, source: str, whole_sql: str,
                previous_end: int = 0, bound: frozenset[str] = frozenset()) -> None:
        revision = self.revision
        assert revision is not None
        outside = self.detached == "autocommit"
        if self.detached is None:
            self.driver_state = replace(self.driver_state, used=True, sqlalchemy_idle=False)
        actions = self._with_operation_hints(parsed.actions, rec)
        statement = Statement(
            sql=parsed.text,
            index=self._index,
            operation=rec,
            in_transaction=False if outside else self.in_transaction,
            transaction=None if outside else self.transaction,
            source=source,
            actions=actions,
            node=parsed.node,
            bound_literals=bound,
            parse_error=parsed.error,
            sql_ignores=_sql_ignores(whole_sql, parsed, previous_end) if source in ("execute", "bind") else frozenset(),
            default_schema=self.default_schema,
            in_autocommit_block=self.autocommit,
            other_connection=self.detached is not None,
        )
        if not self.speculative:
            self.snapshot(statement)
        self._index += 1
        if self.capturing:
            revision.statements.append(statement)
        if parsed.error:
            if self.capturing:
                revision.notes.append(Note(kind="unparsed-statement",
                                           message=f"statement not understood, not checked: {parsed.error}: "
                                                   f"{_shorten(parsed.text)}",
                                           path=revision.path, line=rec.line, revision=revision.revision))
        self.apply(statement, revision.revision)
        if self.detached is not None:
            return  # the other connection's BEGIN/COMMIT are its own, not the migration's
        if (whole_sql and self.driver.reopens_after_commit and not self.in_transaction and not self.autocommit
                and not self.driver_state.autocommit
                and any(isinstance(a, A.Transaction) and a.kind in _ENDING for a in actions)):
            # psycopg 3 sees the server idle after a COMMIT sent as SQL and opens a new transaction before
            # the next statement; psycopg2 goes by its own note and sends nothing until Alembic commits.
            self.driver_begin()

    def apply(self, statement: Statement, revision: str) -> None:
        """What the statement does to the session (transaction, search_path) and to the schema model."""
        for action in statement.actions:
            if isinstance(action, A.Transaction) and self.detached is not None:
                pass  # another connection's transaction control: the migration's session is as it was
            elif isinstance(action, A.Transaction):
                if action.kind == "begin":
                    self.begin_transaction()
                elif action.kind in ("commit", "rollback", "commit_prepared", "prepare"):
                    self.end_transaction()
            elif isinstance(action, A.SetVariable) and action.name == "search_path" and action.value:
                first = action.value.split(",")[0].strip().strip("'\"")
                if first and not first.startswith("$"):
                    self.default_schema = first
            if self.speculative:
                continue
            self.schema.apply(action, revision, self.transaction if self.in_transaction else None)
            if isinstance(action, A.CreateEnum) and self.in_transaction and action.type in self.schema.enums:
                self.schema.enums[action.type] = replace(self.schema.enums[action.type],
                                                         created_in_transaction=self.transaction)

    def _with_operation_hints(self, actions: tuple[A.Action, ...], rec: RecordedOperation) -> tuple[A.Action, ...]:
        """Add what the Alembic operation knew but the SQL does not say (``existing_type``)."""
        existing = None
        if rec.operation is not None:
            # AlterColumnOp keeps existing_type as an attribute, not in ``kw``.
            existing = getattr(rec.operation, "existing_type", None)
            if existing is None:
                existing = getattr(rec.operation, "kw", {}).get("existing_type")
        if existing is None or not any(isinstance(a, A.AlterColumnType) for a in actions):
            return actions
        hint = compile_type(existing)
        if hint is None:
            return actions
        return tuple(replace(a, old_type_hint=hint) if isinstance(a, A.AlterColumnType) else a for a in actions)

    def snapshot(self, statement: Statement) -> None:
        """The model as it is just before ``statement``, for the objects it touches: rules judge it by that
        (public: the tail merge snapshots the child's statements against this process's model)."""
        tables: dict[A.QName, Any] = {}
        enums: dict[A.QName, Any] = {}
        indexes: dict[A.QName, Any] = {}
        for action in statement.actions:
            for f in fields(action):
                value = getattr(action, f.name)
                if not isinstance(value, A.QName):
                    continue
                if f.name == "table":
                    tables[value] = self.schema.tables.get(value)
                elif f.name == "type":
                    enums[value] = self.schema.enums.get(value)
                elif isinstance(action, (A.DropIndex, A.RenameIndex)) or (isinstance(action, A.Reindex)
                                                                         and action.kind == "index"):
                    index = self.schema.indexes.get(value)
                    indexes[value] = index
                    if index is not None:
                        tables[index.table] = self.schema.tables.get(index.table)
            if isinstance(action, A.AddConstraint) and action.constraint.references is not None:
                ref = action.constraint.references
                tables[ref] = self.schema.tables.get(ref)
            if isinstance(action, A.CreateTable):
                # CREATE TABLE ... REFERENCES locks the referenced tables: rules need to know if they are new.
                for spec in action.constraints:
                    if spec.references is not None:
                        tables.setdefault(spec.references, self.schema.tables.get(spec.references))
            if isinstance(action, A.AddColumn) and action.column.type is not None and action.column.not_null:
                # Whether the column's type is an enum (no default) or may be a domain (which has one).
                enums[action.column.type.qname] = self.schema.enums.get(action.column.type.qname)
            if isinstance(action, A.AlterColumnType):
                if action.new_type is not None:
                    enums[action.new_type.qname] = self.schema.enums.get(action.new_type.qname)
                # A type change rebuilds the indexes on the column: rules need to know them.
                indexes.update({ix.name: ix for ix in self.schema.indexes.values() if ix.table == action.table})
            if isinstance(action, A.RefreshMatView):
                # REFRESH ... CONCURRENTLY needs a unique index on the view: its fix needs to know them.
                indexes.update({ix.name: ix for ix in self.schema.indexes.values() if ix.table == action.view})
        statement.tables_before = tables
        statement.enums_before = enums
        statement.indexes_before = indexes

    # -- batch recreate ----------------------------------------------------------------------------------------
    def known_table(self, name: str) -> bool:
        return A.QName(self.default_schema, name) in self.schema.tables

    def table_for_batch(self, table_name: str, schema: str | None, batch: list[Any]) -> Any:
        """The table Alembic would reflect for ``recreate="always"``, built from the schema model."""
        import sqlalchemy as sa

        from migsafe.recording.operations import RawType
        from migsafe.recording.reflection import sqlalchemy_type
        from migsafe.recording.stubs import UnknownType

        self.model_reads += 1
        qname = A.QName(schema or self.default_schema, table_name)
        known = self.schema.tables.get(qname)
        metadata = sa.MetaData()
        columns: list[sa.Column] = []
        if known is not None and known.columns:
            for col in known.columns.values():
                # Unknown types keep a spelling that parses back to unknown (never a real type such as text).
                if col.type is None:
                    type_: Any = UnknownType()
                else:
                    type_ = RawType(str(col.type)) if col.type.known else sqlalchemy_type(col.type)
                columns.append(sa.Column(col.name, type_, nullable=col.nullable))
        else:
            # Table unknown (file reviewed alone): the columns the batch touches are all we know.
            names: list[str] = []
            for opname, args, _kw in batch:
                if opname in ("alter_column", "drop_column") and len(args) > 1:
                    name = args[1] if isinstance(args[1], str) else getattr(args[1], "name", None)
                    if name and name not in names:
                        names.append(name)
            columns = [sa.Column(n, UnknownType()) for n in names] or [sa.Column("id", RawType("integer"))]
        return sa.Table(table_name, metadata, *columns, schema=schema)

    def after_batch_recreate(self, table_name: str, schema: str | None) -> None:
        """The copy-and-swap made a "new" table in the model; it is the same old table holding the same rows."""
        self.model_reads += 1
        qname = A.QName(schema or self.default_schema, table_name)
        before = None
        if self.revision is not None:
            for statement in self.revision.statements:
                if qname in statement.tables_before and statement.operation.batch_recreate:
                    before = statement.tables_before[qname]
                    break
        current = self.schema.tables.get(qname)
        if current is not None:
            self.schema.tables[qname] = replace(
                current,
                created_in=before.created_in if before is not None else None,
                named_in=before.named_in if before is not None else None,
                holds_data=before.holds_data if before is not None else True,
                created_in_transaction=before.created_in_transaction if before is not None else None,
                emptied_in_transaction=before.emptied_in_transaction if before is not None else None,
                emptied_in=before.emptied_in if before is not None else None,
                emptied_by_failure=before.emptied_by_failure if before is not None else False,
            )


_ENDING = frozenset({"commit", "rollback", "commit_prepared", "prepare"})


def _transaction_statement(kind: str) -> ParsedStatement:
    """The COMMIT or ROLLBACK a driver sends through its API (``conn.commit()``, ``set_isolation_level``)."""
    text = kind.upper()
    return ParsedStatement(text=text, start=0, end=len(text), actions=(A.Transaction(kind),), kind="TransactionStmt")


def _driver_error(driver: Driver, what: str) -> Exception:
    """The error the project's driver raises for a mode change inside a transaction, with its words."""
    if driver.reopens_after_commit:
        return _ProgrammingError(f"can't change '{what}' now: connection in transaction status INTRANS")
    return _ProgrammingError("set_session cannot be used inside a transaction")


class _ProgrammingError(Exception):
    """The driver's ProgrammingError (psycopg2 and psycopg name theirs so)."""


_ProgrammingError.__name__ = _ProgrammingError.__qualname__ = "ProgrammingError"


def bound_strings(parameters: Any) -> frozenset[str]:
    """String values among a statement's bound parameters (a dict, a sequence, or a list of either)."""
    if parameters is None:
        return frozenset()
    if isinstance(parameters, dict):
        values = list(parameters.values())
    elif isinstance(parameters, (list, tuple)):
        values = [v for p in parameters for v in (p.values() if isinstance(p, dict) else [p])]
    else:
        return frozenset()
    return frozenset(v for v in values if isinstance(v, str))


def compile_type(type_: Any) -> A.SqlType | None:
    try:
        from sqlalchemy.dialects import postgresql

        if isinstance(type_, type):
            type_ = type_()
        spelled = type_.compile(dialect=postgresql.dialect())
        with standin_types(take_rendered_types()):
            return parse_type(spelled)
    except Exception:
        return None


def _sql_ignores(whole_sql: str, parsed: ParsedStatement, previous_end: int) -> frozenset[str]:
    """Rule ids from ``-- migsafe: ignore[...]`` comments that belong to this statement.

    A comment belongs to the statement it precedes or sits inside, unless it trails the previous statement
    on that statement's last line; a comment after a statement on its own last line belongs to it.
    """
    ids: set[str] = set()
    for match in _IGNORE_SQL_RE.finditer(whole_sql):
        pos = match.start()
        if previous_end <= pos < parsed.end:
            trails_previous = previous_end > 0 and "\n" not in whole_sql[previous_end:pos]
            if not trails_previous:
                ids.update(_split_ids(match.group(1)))
        elif pos >= parsed.end and "\n" not in whole_sql[parsed.end:pos]:
            ids.update(_split_ids(match.group(1)))
    return frozenset(ids)


def _split_ids(group: str | None) -> list[str]:
    if group is None:
        return ["*"]
    return [part.strip() for part in group.split(",") if part.strip()]


def _shorten(text: str, limit: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
