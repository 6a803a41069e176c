"""What recording produces: revisions, the operations their ``upgrade()`` invoked, and the SQL they emitted.

These are plain data. Rules read them; nothing here knows about rules or reporting.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from migsafe.schema import EnumType, Index, Table
from migsafe.sql.actions import Action, QName


@dataclass
class RecordedOperation:
    """One ``op.*`` call (or ``batch_op.*`` call, or a statement run through ``op.get_bind()``)."""

    name: str  # "create_index", "execute", "bind.execute", "batch_alter_table", ...
    line: int
    end_line: int
    # The Alembic MigrateOperation, while recording. Not kept in the cache (it may hold application objects):
    # rules read the plain facts below instead.
    operation: Any = None
    column_name: str | None = None  # alter_column: the column
    new_column_name: str | None = None  # alter_column(new_column_name=...)
    new_type_is_native_enum: bool = False  # alter_column(type_=sa.Enum(...)) that is a PostgreSQL enum type
    constraint_type: str | None = None  # drop_constraint(type_=...): "foreignkey", "unique", "check", ...
    batch_table: str | None = None
    # drop_index(table_name=...): the table Alembic was told, which DROP INDEX's SQL does not name.
    index_table: str | None = None
    batch_recreate: bool = False
    # String values bound to parameters of the operation's SQL (``text(...).bindparams(state="x")``).
    bound_literals: frozenset[str] = frozenset()


@dataclass
class Statement:
    """One SQL statement as PostgreSQL would receive it, with everything rules need to judge it."""

    sql: str
    index: int
    operation: RecordedOperation
    in_transaction: bool
    transaction: int | None  # transactions are numbered across the whole review; None outside one
    source: str  # "op" (an Alembic operation), "execute" (op.execute SQL), "bind" (op.get_bind()), "batch"
    actions: tuple[Action, ...] = ()
    node: Any = None  # pglast AST node
    # String values bound to the statement's parameters (``text(...).bindparams(state="x")``).
    bound_literals: frozenset[str] = frozenset()
    parse_error: str | None = None
    # The schema as it was just before this statement, for the objects the statement touches.
    tables_before: Mapping[QName, Table | None] = field(default_factory=dict)
    enums_before: Mapping[QName, EnumType | None] = field(default_factory=dict)
    indexes_before: Mapping[QName, Index | None] = field(default_factory=dict)
    # Rule ids from ``-- migsafe: ignore[...]`` comments inside the SQL; "*" means all.
    sql_ignores: frozenset[str] = frozenset()
    # The schema unqualified names meant when it ran (the session's search_path), for reading ``node``.
    default_schema: str = "public"
    # Run inside ``op.get_context().autocommit_block()`` (which commits Alembic's transaction on entry).
    in_autocommit_block: bool = False
    # Run on another connection the revision opened (``op.get_bind().engine.connect()``), not the migration's.
    other_connection: bool = False

    @property
    def literals(self) -> frozenset[str]:
        """String constants in the statement and values bound to it. Computed on first use: one rule asks, for
        a few statements, and walking every statement's tree for them was a tenth of the cold review."""
        cached = self.__dict__.get("_literals")
        if cached is None:
            from migsafe.sql.analysis import string_literals

            cached = self.bound_literals | frozenset(string_literals(self.node))
            self.__dict__["_literals"] = cached
        return cached

    @property
    def line(self) -> int:
        return self.operation.line

    @property
    def end_line(self) -> int:
        return self.operation.end_line


@dataclass
class Note:
    """Something a user should know that is not a rule violation."""

    kind: str  # "data-dependent", "unparsed-statement", "unused-ignore", "graph", ...
    message: str
    path: Path | None = None
    line: int | None = None
    revision: str | None = None


@dataclass
class LoadError:
    """migsafe could not review this: a revision that failed to import or record, a bad graph, a bad comment."""

    message: str
    path: Path | None = None
    line: int | None = None
    revision: str | None = None
    kind: str = "load-error"
    direction: str = "upgrade"  # "downgrade": the failure was in downgrade() (review --downgrade)
    transient: bool = False  # may not happen again (a timeout): never cached


@dataclass
class RevisionFile:
    """A revision script as found on disk, before it is executed."""

    path: Path
    revision: str | None
    down_revisions: tuple[str, ...] = ()
    depends_on: tuple[str, ...] = ()
    branch_labels: tuple[str, ...] = ()
    line: int = 1  # line of the ``revision =`` assignment, for graph errors
    digest: str = ""  # hash of the file's content (the cache's key)
    # (first, last) line of every statement, from the same parse (for line attribution; None: not read yet).
    spans: tuple[tuple[int, int], ...] | None = None


@dataclass
class RecordedRevision:
    file: RevisionFile
    statements: list[Statement] = field(default_factory=list)
    operations: list[RecordedOperation] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    error: LoadError | None = None
    source_lines: list[str] = field(default_factory=list)
    reported: bool = True  # False for revisions loaded only for schema context
    # Revisions that ship in the same deploy as this one: tables they create are still empty here.
    shipping_set: frozenset[str] = frozenset()
    # What ``downgrade()`` re-creates, when asked for (hidden-rename evidence for a file reviewed alone).
    downgrade_actions: tuple[Action, ...] | None = None
    # Modules replaced by stand-ins because they could not be imported, and the revision's calls into them
    # (name, line): a partial review.
    stubbed: tuple[str, ...] = ()
    stub_calls: list[tuple[str, int]] = field(default_factory=list)
    # "downgrade" for the recording of downgrade(); an upgrade recording holds it in ``downgrade``
    # (review --downgrade).
    direction: str = "upgrade"
    downgrade: "RecordedRevision | None" = None
    # False when part of the recording may come out differently next time (downgrade evidence cut short by the
    # revision timeout): the cache does not keep it.
    cacheable: bool = True

    @property
    def partial(self) -> bool:
        # Stand-ins for missing modules, or shims for the other SQLAlchemy major's idioms (a note says which).
        return bool(self.stubbed) or any(note.kind == "sqlalchemy-idiom" for note in self.notes)

    @property
    def transactions(self) -> frozenset[int]:
        """The transaction numbers its statements ran in: lets questions about one transaction skip the
        other revisions without reading their statements (a cached revision keeps this without them)."""
        return frozenset(s.transaction for s in self.statements if s.transaction is not None)

    @property
    def revision(self) -> str:
        return self.file.revision or self.file.path.stem

    @property
    def path(self) -> Path:
        return self.file.path


_MEMBERS: dict[str, Any] = {"history": None, "index": {}, "position": {}}


def transaction_members(history: list[RecordedRevision], transaction: int,
                        deploy: frozenset[str]) -> list[RecordedRevision]:
    """The revisions of ``deploy`` with statements in ``transaction``, in upgrade order.

    The recording runs the whole history as one upgrade, so with one transaction per upgrade every revision
    shares a transaction number; a real ``alembic upgrade`` runs one deploy, and only its revisions share the
    transaction. Indexed once per reviewed history from each revision's transaction numbers: asking per
    statement would otherwise walk the whole history (quadratic on 2,000 revisions), and a cached revision's
    statements are read only when they are needed."""
    if _MEMBERS["history"] is not history:
        index: dict[str, list[RecordedRevision]] = {}
        position: dict[int, int] = {}
        for number, revision in enumerate(history):
            index.setdefault(revision.revision, []).append(revision)
            position[id(revision)] = number
        _MEMBERS.update(history=history, index=index, position=position)
    found = [revision for name in deploy for revision in _MEMBERS["index"].get(name, ())
             if transaction in revision.transactions]
    return sorted(found, key=lambda revision: _MEMBERS["position"][id(revision)])
