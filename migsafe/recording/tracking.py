"""Which operation, on which line of which revision, is running right now.

Shared by the offline recorder and the replay tracer: both need to attribute every statement that reaches
the database (or Alembic's SQL output) to the ``op.*`` call that caused it.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Any, Iterator

from migsafe.model import RecordedOperation, RecordedRevision
from migsafe.recording.source import LineMap, caller_line, upgrade_frame_line


class OperationTracker:
    def __init__(self) -> None:
        self.revision: RecordedRevision | None = None
        self._stack: list[tuple[RecordedOperation, str]] = []
        self._upgrade_code: Any = None
        self._filename = ""
        self._linemap: LineMap | None = None

    def start_revision(self, revision: RecordedRevision, upgrade_code: Any, linemap: LineMap) -> None:
        self.revision = revision
        self._upgrade_code = upgrade_code
        self._filename = str(revision.path)
        self._linemap = linemap
        self._stack.clear()

    def end_revision(self) -> None:
        self.revision = None
        self._stack.clear()

    @property
    def current(self) -> tuple[RecordedOperation, str] | None:
        return self._stack[-1] if self._stack else None

    def new_operation(self, name: str, operation: Any = None, batch: Any = None) -> RecordedOperation:
        line, end_line = caller_line(self._upgrade_code, self._filename, self._linemap or LineMap(""))
        rec = RecordedOperation(name=name, line=line, end_line=end_line, operation=operation,
                                bound_literals=_bound_literals(operation), **_alter_column_facts(operation),
                                constraint_type=_constraint_type(operation), index_table=_index_table(operation))
        if batch is not None:
            rec.batch_table, rec.batch_recreate = batch
        if self.revision is not None:
            self.revision.operations.append(rec)
        return rec

    @contextmanager
    def operation(self, name: str, operation: Any = None, batch: Any = None) -> Iterator[RecordedOperation]:
        if self._stack:
            # An operation invoked by another (Alembic's create_table emitting CREATE TYPE, for example)
            # belongs to the outer call.
            yield self._stack[-1][0]
            return
        rec = self.new_operation(name, operation, batch)
        with self.attributed(rec, source="execute" if name == "execute" else "op"):
            yield rec

    @contextmanager
    def attributed(self, rec: RecordedOperation, source: str) -> Iterator[None]:
        self._stack.append((rec, source))
        try:
            yield
        finally:
            self._stack.pop()

    def stub_called(self, name: str) -> None:
        """The revision's ``upgrade()`` called into a stubbed module: its ``op.*`` calls, if any, are invisible."""
        if self.revision is None:
            return
        where = upgrade_frame_line(self._upgrade_code, self._linemap or LineMap(""))
        if where is not None and (name, where[0]) not in self.revision.stub_calls:
            self.revision.stub_calls.append((name, where[0]))

    def unknown_operation(self, name: str) -> None:
        """An ``op.<name>`` no installed Alembic extension provides: say it was not checked."""
        from migsafe.model import Note

        if self.revision is not None and self.current is not None:
            rec = self.current[0]
            rec.name = f"unknown:{name}"
            self.revision.notes.append(Note(
                kind="unknown-operation",
                message=f"op.{name}() is not an Alembic operation migsafe knows (a plugin that is not installed?); "
                        "what it does to the database was not checked",
                path=self.revision.path, line=rec.line, revision=self.revision.revision))

    def application_statement(self, name: str, standin: Any, what: str) -> None:
        """``op.bulk_insert`` into a table, or ``op.execute`` of a statement, that application code builds (a
        stand-in here, as its module is not importable): say what was not checked, rather than record SQL that
        names a table nobody can tell (it rendered as the stand-in's path, which no parser reads)."""
        from migsafe.model import Note

        if self.revision is not None and self.current is not None:
            rec = self.current[0]
            self.revision.notes.append(Note(
                kind="unknown-operation",
                message=f"op.{name}() of {what} given by application code that is not importable here "
                        f"({getattr(standin, '__stub_name__', standin)}): what it does was not checked",
                path=self.revision.path, line=rec.line, revision=self.revision.revision))

    def known_table(self, name: str) -> bool:
        """Whether the schema model has this table (in the session's schema); the offline recorder knows."""
        return False

    # Hooks the batch implementation calls; the offline recorder overrides them.
    def bind(self) -> Any:
        raise NotImplementedError

    def table_for_batch(self, table_name: str, schema: str | None, batch: list[Any]) -> Any:
        return None  # online: let Alembic reflect the table

    def after_batch_recreate(self, table_name: str, schema: str | None) -> None:
        pass


def _index_table(operation: Any) -> str | None:
    """The ``table_name=`` of an index operation (a drop_index's SQL names only the index)."""
    table = getattr(operation, "table_name", None) if hasattr(operation, "index_name") else None
    return table if isinstance(table, str) and table else None


def _constraint_type(operation: Any) -> str | None:
    value = getattr(operation, "constraint_type", None)
    return value if isinstance(value, str) else None


def _alter_column_facts(operation: Any) -> dict[str, Any]:
    """What rules need from an ``alter_column`` operation, as plain values that survive the cache."""
    column = getattr(operation, "column_name", None)
    if not isinstance(column, str):
        return {}
    new_name = getattr(operation, "modify_name", None)
    new_type = getattr(operation, "modify_type", None)
    native_enum = False
    if new_type is not None:
        from sqlalchemy.sql import sqltypes

        # native_enum=False renders a VARCHAR with a CHECK, not an enum type.
        native_enum = isinstance(new_type, sqltypes.Enum) and bool(new_type.native_enum)
    return {"column_name": column, "new_column_name": new_name if isinstance(new_name, str) else None,
            "new_type_is_native_enum": native_enum}


def _bound_literals(operation: Any) -> frozenset[str]:
    """String values bound into ``op.execute(text(...).bindparams(...))``: offline SQL shows only placeholders."""
    sqltext = getattr(operation, "sqltext", None)
    if sqltext is None or isinstance(sqltext, str) or not hasattr(sqltext, "compile"):
        return frozenset()
    try:
        from sqlalchemy.dialects import postgresql

        # A DDL element (CreateSequence, DDL(...), AddConstraint) binds nothing: its compiled params are None.
        params = sqltext.compile(dialect=postgresql.dialect()).params or {}
    except Exception:
        return frozenset()
    return frozenset(v for v in params.values() if isinstance(v, str))
