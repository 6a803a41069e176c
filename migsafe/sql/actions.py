"""The normalized model of what a SQL statement does.

Rules never look at raw SQL or at which Alembic operation produced it: `op.create_index(...)` and
`op.execute("CREATE INDEX ...")` both become a :class:`CreateIndex` action, so one rule gives one finding for
both. A statement (one ALTER TABLE with several subcommands, for example) may carry several actions.
Actions are plain frozen data, in the spirit of Alembic's ``operations/ops.py``.
"""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Iterator, NamedTuple

# The schema names are shown without (``[tool.migsafe] default-schema``, "public" unless configured): a name in
# any other schema is always shown qualified, so messages never confuse ``billing.users`` with ``users``.
_DISPLAY_DEFAULT_SCHEMA: ContextVar[str] = ContextVar("migsafe_display_default_schema", default="public")


def display_default_schema() -> str:
    return _DISPLAY_DEFAULT_SCHEMA.get()


@contextmanager
def default_schema_for_display(schema: str) -> Iterator[None]:
    token = _DISPLAY_DEFAULT_SCHEMA.set(schema)
    try:
        yield
    finally:
        _DISPLAY_DEFAULT_SCHEMA.reset(token)


class QName(NamedTuple):
    """A schema-qualified name. ``schema`` is always filled in (the default schema when the SQL had none)."""

    schema: str
    name: str

    def __str__(self) -> str:
        return self.name if self.schema == _DISPLAY_DEFAULT_SCHEMA.get() else f"{self.schema}.{self.name}"


@dataclass(frozen=True)
class SqlType:
    """A column type as PostgreSQL names it internally (``varchar``, ``int4``, ``timestamptz``...)."""

    name: str
    mods: tuple[int | str, ...] = ()
    array: bool = False
    schema: str | None = None  # set for user-defined types (enums, domains)
    # The application type a stand-in took the place of (``sqlalchemy_utils.UUIDType``) when its module is not
    # installed where migsafe runs: the SQL type it would render is unknown, so no rule may judge it (``name``
    # is then the stand-in's own spelling, as rendered in the SQL).
    standin: str | None = None

    @property
    def known(self) -> bool:
        return self.standin is None

    def __str__(self) -> str:
        if self.standin is not None:
            return self.standin + ("[]" if self.array else "")  # what the revision wrote; rules say it is unknown
        text = self.name if not self.schema or self.schema in (_DISPLAY_DEFAULT_SCHEMA.get(), "pg_catalog") \
            else f"{self.schema}.{self.name}"
        if self.mods:
            text += "(" + ",".join(str(m) for m in self.mods) + ")"
        return text + ("[]" if self.array else "")

    @property
    def qname(self) -> QName:
        return QName(self.schema or "public", self.name)


@dataclass(frozen=True)
class ColumnSpec:
    """A column as declared in CREATE TABLE or ADD COLUMN."""

    name: str
    type: SqlType | None
    not_null: bool = False
    default_sql: str | None = None
    default_volatile: bool = False
    serial: bool = False  # serial / bigserial / smallserial: a sequence default, filled in for every row
    identity: bool = False
    generated_stored: bool = False
    primary_key: bool = False
    default_null: bool = False  # the declared default is NULL (``DEFAULT NULL``): no value, as without one
    generated_virtual: bool = False  # GENERATED ALWAYS AS (...) VIRTUAL (PostgreSQL 18): computed when read

    @property
    def leaves_rows_null(self) -> bool:
        """Whether ``ADD COLUMN`` leaves the column NULL in every row the table already has: no default (or
        ``DEFAULT NULL``), and not a column that computes its own value (serial, identity, generated). The
        column's type may still bring a default (a domain's): that is the caller's question."""
        if self.serial or self.identity or self.generated_stored or self.generated_virtual:
            return False
        return self.default_sql is None or self.default_null


@dataclass(frozen=True)
class ConstraintSpec:
    kind: str  # "check", "foreign_key", "unique", "primary_key", "exclude", "not_null"
    name: str | None
    not_valid: bool = False
    using_index: str | None = None
    columns: tuple[str, ...] = ()
    # For CHECK constraints of the form ``col IS NOT NULL``: the column they prove non-null.
    not_null_column: str | None = None
    references: QName | None = None
    referred_columns: tuple[str, ...] = ()  # a foreign key's columns in the referenced table


@dataclass(frozen=True)
class Action:
    """Base class: something one statement does to the database."""


@dataclass(frozen=True)
class CreateTable(Action):
    table: QName
    columns: tuple[ColumnSpec, ...] = ()
    constraints: tuple[ConstraintSpec, ...] = ()
    as_select: bool = False  # CREATE TABLE ... AS SELECT / SELECT INTO: the table holds data
    if_not_exists: bool = False


@dataclass(frozen=True)
class DropTable(Action):
    table: QName
    cascade: bool = False
    if_exists: bool = False


@dataclass(frozen=True)
class RenameTable(Action):
    table: QName
    new_name: str


@dataclass(frozen=True)
class AddColumn(Action):
    table: QName
    column: ColumnSpec
    if_not_exists: bool = False  # ADD COLUMN IF NOT EXISTS: nothing happens when the column is there


@dataclass(frozen=True)
class DropColumn(Action):
    table: QName
    column: str
    if_exists: bool = False


@dataclass(frozen=True)
class RenameColumn(Action):
    table: QName
    column: str
    new_name: str


@dataclass(frozen=True)
class AlterColumnType(Action):
    table: QName
    column: str
    new_type: SqlType | None
    using: bool = False
    # The type before the change when the operation told us (Alembic's ``existing_type``).
    old_type_hint: SqlType | None = None
    # The type the revision's own ``downgrade()`` changes the column back to (its reverse ``alter_column``):
    # evidence of the type before the change when neither ``existing_type`` nor the schema model knows it.
    old_type_reverted: SqlType | None = None


@dataclass(frozen=True)
class SetNotNull(Action):
    table: QName
    column: str


@dataclass(frozen=True)
class DropNotNull(Action):
    table: QName
    column: str


@dataclass(frozen=True)
class SetDefault(Action):
    table: QName
    column: str
    default_sql: str | None  # None: DROP DEFAULT
    volatile: bool = False


@dataclass(frozen=True)
class AddConstraint(Action):
    table: QName
    constraint: ConstraintSpec


@dataclass(frozen=True)
class ValidateConstraint(Action):
    table: QName
    name: str


@dataclass(frozen=True)
class DropConstraint(Action):
    table: QName
    name: str
    if_exists: bool = False


@dataclass(frozen=True)
class CreateIndex(Action):
    table: QName
    name: QName | None
    concurrently: bool = False
    unique: bool = False
    columns: tuple[str, ...] = ()
    if_not_exists: bool = False
    partial: bool = False  # WHERE ...: a partial index, which REFRESH ... CONCURRENTLY cannot use


@dataclass(frozen=True)
class DropIndex(Action):
    name: QName
    concurrently: bool = False
    if_exists: bool = False


@dataclass(frozen=True)
class RenameIndex(Action):
    name: QName
    new_name: str


@dataclass(frozen=True)
class CreateEnum(Action):
    type: QName
    labels: tuple[str, ...]


@dataclass(frozen=True)
class AddEnumValue(Action):
    type: QName
    label: str
    if_not_exists: bool = False


@dataclass(frozen=True)
class RenameEnumValue(Action):
    type: QName
    old: str
    new: str


@dataclass(frozen=True)
class RenameType(Action):
    type: QName
    new_name: str


@dataclass(frozen=True)
class DropType(Action):
    type: QName
    cascade: bool = False


@dataclass(frozen=True)
class DataChange(Action):
    """A DML statement. ``table`` is where rows change; ``kind`` is UPDATE, DELETE, INSERT or INSERT_SELECT."""

    kind: str
    table: QName
    has_where: bool = False  # UPDATE/DELETE: a WHERE clause
    on_conflict: bool = False  # INSERT ... ON CONFLICT (DO NOTHING / DO UPDATE)
    # INSERT ... SELECT whose WHERE reads the target table (an anti-join or NOT EXISTS on the rows already there)
    skips_existing: bool = False


@dataclass(frozen=True)
class Transaction(Action):
    kind: str  # "begin", "commit", "rollback", "savepoint", ...


@dataclass(frozen=True)
class SetVariable(Action):
    name: str
    value: str | None
    local: bool = False


@dataclass(frozen=True)
class Other(Action):
    """A statement we parse but no rule models (yet): kept so reports can still name it."""

    kind: str
    tables: tuple[QName, ...] = field(default=())


@dataclass(frozen=True)
class Truncate(Action):
    """``TRUNCATE``: one action per table named. ``cascade`` also empties every table whose foreign keys
    reference it; ``only`` (``TRUNCATE ONLY``) leaves inheritance children alone."""

    table: QName
    cascade: bool = False
    restart_identity: bool = False
    only: bool = False


@dataclass(frozen=True)
class LockTable(Action):
    """An explicit ``LOCK TABLE``: one action per table named. ``mode`` is spelled as ``pg_locks.mode``
    spells it (``AccessExclusiveLock``, ``ShareLock``...)."""

    table: QName
    mode: str = "AccessExclusiveLock"
    nowait: bool = False
    only: bool = False


@dataclass(frozen=True)
class CreateMatView(Action):
    """``CREATE MATERIALIZED VIEW``. The field is ``view``, not ``table``: a materialized view is no table
    the schema model tracks (and rules about tables must not treat it as one)."""

    view: QName
    with_data: bool = True
    if_not_exists: bool = False


@dataclass(frozen=True)
class DropMatView(Action):
    """``DROP MATERIALIZED VIEW``: one action per view named."""

    view: QName
    if_exists: bool = False


@dataclass(frozen=True)
class RefreshMatView(Action):
    view: QName
    concurrently: bool = False
    with_data: bool = True  # False: WITH NO DATA, which leaves the view unreadable until the next refresh


@dataclass(frozen=True)
class RewriteTable(Action):
    """A command whose whole job is to copy a relation into new files under ACCESS EXCLUSIVE: ``VACUUM FULL``,
    ``CLUSTER``, ``SET TABLESPACE``, ``SET LOGGED`` / ``SET UNLOGGED``. ``table`` is None when the command
    covers many tables (``VACUUM FULL`` or ``CLUSTER`` with no name, ``ALTER TABLE ALL IN TABLESPACE``);
    ``index`` is set instead for ``ALTER INDEX ... SET TABLESPACE``."""

    command: str  # "VACUUM FULL", "CLUSTER", "SET TABLESPACE", "SET LOGGED", "SET UNLOGGED"
    table: QName | None = None
    index: QName | None = None


@dataclass(frozen=True)
class Reindex(Action):
    """``REINDEX``. ``kind`` is what it names ("index", "table", "schema", "database", "system"); ``relation``
    is the index or table, ``name`` the schema or database. The field is not ``table``: REINDEX takes SHARE on
    the table and ACCESS EXCLUSIVE on its indexes (CONCURRENTLY: SHARE UPDATE EXCLUSIVE), not a table lock
    of the usual ALTER TABLE kind."""

    kind: str
    relation: QName | None = None
    name: str | None = None
    concurrently: bool = False


@dataclass(frozen=True)
class DetachPartition(Action):
    """``ALTER TABLE parent DETACH PARTITION partition [CONCURRENTLY]``; ``table`` is the partitioned table."""

    table: QName
    partition: QName
    concurrently: bool = False


# Statements that only read, or set up the session: running them again changes nothing.
_HARMLESS_OTHER = frozenset({"Select", "VariableShowStmt", "ExplainStmt", "CommentStmt", "VacuumStmt",
                             "CheckPointStmt", "NotifyStmt", "ListenStmt", "UnlistenStmt", "DiscardStmt"})


def runs_again(action: Action) -> bool:
    """Whether running the statement a second time, after it was applied, succeeds (a re-run of a half-applied
    revision): ``IF [NOT] EXISTS`` forms, ``SET``/``DROP NOT NULL``, ``SET``/``DROP DEFAULT``, a type change
    without USING, UPDATE/DELETE limited by a WHERE, an INSERT ... SELECT that skips the rows already in the
    target (its WHERE reads the target) or an INSERT ... ON CONFLICT, reads and session settings. CREATE without IF NOT EXISTS, ADD COLUMN, ADD CONSTRAINT, a
    rename, a plain INSERT (a duplicate key, or the rows twice) do not."""
    if isinstance(action, (Transaction, SetVariable, SetNotNull, DropNotNull, SetDefault, ValidateConstraint,
                           RefreshMatView, LockTable, Truncate, Reindex, RewriteTable)):
        return True
    if isinstance(action, (CreateTable, CreateIndex, AddColumn, CreateMatView)):
        return action.if_not_exists and not (isinstance(action, CreateTable) and action.as_select)
    if isinstance(action, AddEnumValue):
        return action.if_not_exists
    if isinstance(action, (DropTable, DropIndex, DropColumn, DropConstraint, DropMatView)):
        return action.if_exists
    if isinstance(action, AlterColumnType):
        return not action.using
    if isinstance(action, DataChange):
        if action.kind in ("UPDATE", "DELETE"):
            return action.has_where
        return action.on_conflict or action.skips_existing
    if isinstance(action, Other):
        return action.kind in _HARMLESS_OTHER
    return False
