"""The schema model: what the database looks like at each point of the history.

It is updated statement by statement while revisions are recorded, so that Alembic's batch mode can be given
the table it cannot reflect offline, and so that every recorded statement can keep a reference to the tables
it touched *as they were before it ran*. Table values are immutable (a change makes a new value), which makes
those before-snapshots free: a statement simply holds the old value. A table's columns and constraints are
persistent structures (:mod:`migsafe.persistent`), so a new value shares all but a few nodes with the old
one: a revision adding 50,000 columns to one table keeps 50,000 snapshots in linear, not quadratic, memory.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Iterable, Mapping

from migsafe.persistent import EMPTY, EMPTY_LIST, PersistentList, PersistentMap
from migsafe.sql import actions as A
from migsafe.sql.actions import QName, SqlType


@dataclass(frozen=True)
class Column:
    name: str
    type: SqlType | None
    nullable: bool = True
    default_sql: str | None = None
    added_in: str | None = None  # revision that added the column; None when unknown or from the first CREATE
    named_in: str | None = None  # revision whose RENAME gave the column its current name


@dataclass(frozen=True)
class Constraint:
    name: str | None
    kind: str
    validated: bool = True
    not_null_column: str | None = None
    columns: tuple[str, ...] = ()
    added_in: str | None = None
    references: QName | None = None  # the referenced table of a foreign key (its drop locks that table too)
    referred_columns: tuple[str, ...] = ()  # its columns there (empty: the referenced table's primary key)


@dataclass(frozen=True)
class Table:
    name: QName
    columns: PersistentMap[str, Column] = field(default_factory=lambda: EMPTY)
    constraints: PersistentList[Constraint] = field(default_factory=lambda: EMPTY_LIST)
    created_in: str | None = None  # revision id; None = existed before anything we saw
    holds_data: bool = True  # a table from an earlier revision (or CREATE TABLE AS) is assumed to have rows
    kind: str = "table"  # "matview" for a materialized view: indexes are built on it like on a table
    named_in: str | None = None  # revision whose RENAME gave the table its current name
    # The recorder's transaction numbers (None: not in a transaction, or not known) of the CREATE, of the last
    # TRUNCATE (or DELETE of every row under a lock that kept writers out, or ADD COLUMN ... NOT NULL without a
    # default, which fails on a table with rows) with no INSERT since, and of the last lock that blocks INSERT
    # (SHARE and stronger). Until that transaction commits, other sessions cannot see a relation it created,
    # nor put rows into a table it emptied that way.
    created_in_transaction: int | None = None
    emptied_in_transaction: int | None = None
    emptied_in: str | None = None  # the revision that emptied it (the transaction may span revisions)
    # True when the table is empty only because an earlier statement would have failed on a row (ADD COLUMN
    # ... NOT NULL without a default): past that statement it holds none, but that statement is the problem.
    emptied_by_failure: bool = False
    write_locked_in_transaction: int | None = None

    def column(self, name: str) -> Column | None:
        return self.columns.get(name)

    def has_validated_not_null_check(self, column: str) -> bool:
        return any(c.kind == "check" and c.validated and c.not_null_column == column for c in self.constraints)


@dataclass(frozen=True)
class EnumType:
    name: QName
    labels: tuple[str, ...]
    created_in: str | None = None
    # The recorder's transaction number of the CREATE TYPE (None: outside a transaction, or unknown).
    # PostgreSQL treats a type created in the current transaction specially (enum ADD VALUE).
    created_in_transaction: int | None = None


@dataclass(frozen=True)
class Index:
    name: QName
    table: QName
    unique: bool = False
    created_in: str | None = None
    columns: tuple[str, ...] = ()  # "*" for an expression element
    partial: bool = False  # has a WHERE clause


@dataclass
class Schema:
    """Mutable container of immutable values; one instance follows the whole history."""

    tables: dict[QName, Table] = field(default_factory=dict)
    enums: dict[QName, EnumType] = field(default_factory=dict)
    indexes: dict[QName, Index] = field(default_factory=dict)
    # False when the history does not start at a base revision (a file reviewed alone, a squashed history):
    # then a table the model does not know may still exist, and is assumed to.
    complete: bool = True

    def table(self, name: QName) -> Table | None:
        return self.tables.get(name)

    def index_table(self, index: QName) -> QName | None:
        found = self.indexes.get(index)
        return found.table if found else None

    def apply(self, action: A.Action, revision: str | None, transaction: int | None = None) -> None:
        """Apply one action. Unknown objects are created on the fly as pre-existing (they hold data).
        ``transaction``: the recorder's number of the open transaction (None outside one)."""
        before = _transaction_effects(self, action, transaction) if transaction is not None else None
        handler = _APPLY.get(type(action))
        if handler is not None:
            handler(self, action, revision)
        if before is not None:
            _after_in_transaction(self, action, revision, transaction, before)  # type: ignore[arg-type]

    # -- helpers used by the handlers -------------------------------------------------------------------------
    def _table_or_placeholder(self, name: QName) -> Table:
        found = self.tables.get(name)
        if found is None:
            # A table no revision we saw created: it exists in production and holds data.
            found = Table(name=name)
        return found

    def _put(self, table: Table) -> None:
        self.tables[table.name] = table

    def _with_column(self, table: QName, column: str, **changes: object) -> None:
        current = self._table_or_placeholder(table)
        col = current.columns.get(column) or Column(name=column, type=None)
        self._put(replace(current, columns=current.columns.set(column, replace(col, **changes))))


def default_constraint_name(table: str, columns: Iterable[str], label: str) -> str:
    """The name PostgreSQL gives an unnamed constraint (``makeObjectName``: ``users_email_key``,
    ``users_pkey``, ``orders_user_id_fkey``), shortened the way it shortens them to 63 bytes."""
    first, second = table, "_".join(columns)
    room = 63 - len(label) - 1 - (1 if second else 0)
    while len(first.encode()) + len(second.encode()) > room:
        if len(first) > len(second):
            first = first[:-1]
        else:
            second = second[:-1]
    return "_".join(part for part in (first, second, label) if part)


# The label PostgreSQL's name for an unnamed constraint ends with. CHECK and EXCLUDE constraints are left
# unnamed in the model: their default names depend on the expression's columns, which it does not keep.
_DEFAULT_LABELS = {"foreign_key": "fkey", "unique": "key", "primary_key": "pkey"}


def _constraint_name(schema: Schema, table: QName, taken: Iterable[Constraint], kind: str,
                     columns: tuple[str, ...], name: str | None) -> str | None:
    """A constraint's name as PostgreSQL records it: the one given, else the default name PostgreSQL chooses
    (``<table>_<columns>_fkey``...), numbered (``_fkey1``) past a name the table's constraints (and, for the
    index of a UNIQUE or PRIMARY KEY, the schema's indexes) already use. A revision that created it unnamed
    and a later one that drops it by that name then mean the same constraint, and its referenced table.
    (PostgreSQL also avoids constraint names of other tables of the schema, which the model does not check.)"""
    if name is not None:
        return name
    label = _DEFAULT_LABELS.get(kind)
    if label is None:
        return None
    used = {c.name for c in taken if c.name is not None}
    named = () if kind == "primary_key" else columns
    candidate, number = default_constraint_name(table.name, named, label), 0
    while candidate in used or (kind != "foreign_key" and QName(table.schema, candidate) in schema.indexes):
        number += 1
        candidate = default_constraint_name(table.name, named, f"{label}{number}")
    return candidate


def _create_table(schema: Schema, a: A.CreateTable, rev: str | None) -> None:
    if a.if_not_exists and a.table in schema.tables:
        return
    # A table-level PRIMARY KEY (id) makes its columns NOT NULL, as an inline one does.
    primary = {name for c in a.constraints if c.kind == "primary_key" for name in c.columns}
    columns = {
        c.name: Column(name=c.name, type=c.type, nullable=not c.not_null and c.name not in primary,
                       default_sql=c.default_sql)
        for c in a.columns
    }
    made: list[Constraint] = []
    for c in a.constraints:
        made.append(Constraint(name=_constraint_name(schema, a.table, made, c.kind, c.columns, c.name), kind=c.kind,
                               validated=not c.not_valid, not_null_column=c.not_null_column, columns=c.columns,
                               added_in=rev, references=c.references, referred_columns=c.referred_columns))
    constraints = PersistentList(made)
    schema._put(Table(name=a.table, columns=PersistentMap(columns), constraints=constraints, created_in=rev,
                      holds_data=a.as_select))


def _create_matview(schema: Schema, a: A.CreateMatView, rev: str | None) -> None:
    if a.if_not_exists and a.view in schema.tables:
        return
    # Columns unknown (they come from the query); what matters is that indexes can be built on it.
    schema._put(Table(name=a.view, created_in=rev, holds_data=a.with_data, kind="matview"))


def _drop_matview(schema: Schema, a: A.DropMatView, rev: str | None) -> None:
    found = schema.tables.get(a.view)
    if found is not None and found.kind == "matview":
        _drop_table(schema, A.DropTable(table=a.view), rev)


def _drop_table(schema: Schema, a: A.DropTable, rev: str | None) -> None:
    schema.tables.pop(a.table, None)
    for name in [n for n, ix in schema.indexes.items() if ix.table == a.table]:
        del schema.indexes[name]


def _rename_table(schema: Schema, a: A.RenameTable, rev: str | None) -> None:
    current = schema.tables.pop(a.table, None) or Table(name=a.table)
    new = QName(a.table.schema, a.new_name)
    schema._put(replace(current, name=new, named_in=rev))
    for name, ix in list(schema.indexes.items()):
        if ix.table == a.table:
            schema.indexes[name] = replace(ix, table=new)


def _add_column(schema: Schema, a: A.AddColumn, rev: str | None) -> None:
    c = a.column
    schema._with_column(a.table, c.name, type=c.type, nullable=not c.not_null, default_sql=c.default_sql,
                        added_in=rev)


def _drop_column(schema: Schema, a: A.DropColumn, rev: str | None) -> None:
    current = schema._table_or_placeholder(a.table)
    constraints = current.constraints.remove_where(lambda c: a.column in c.columns or c.not_null_column == a.column)
    schema._put(replace(current, columns=current.columns.delete(a.column), constraints=constraints))


def _rename_column(schema: Schema, a: A.RenameColumn, rev: str | None) -> None:
    current = schema._table_or_placeholder(a.table)
    old = current.columns.get(a.column)
    if a.new_name in current.columns and a.new_name != a.column:
        # Renaming onto an existing name (PostgreSQL refuses it): rebuilt as the model always did.
        columns = {}
        for k, v in current.columns.items():
            columns[a.new_name if k == a.column else k] = \
                replace(v, name=a.new_name, named_in=rev) if k == a.column else v
        if old is None:
            columns[a.new_name] = Column(name=a.new_name, type=None, named_in=rev)
        schema._put(replace(current, columns=PersistentMap(columns)))
    elif old is not None:
        schema._put(replace(current, columns=current.columns.rename(a.column, a.new_name,
                                                                    replace(old, name=a.new_name, named_in=rev))))
    else:
        schema._put(replace(current, columns=current.columns.set(
            a.new_name, Column(name=a.new_name, type=None, named_in=rev))))


def _alter_type(schema: Schema, a: A.AlterColumnType, rev: str | None) -> None:
    schema._with_column(a.table, a.column, type=a.new_type)


def _set_not_null(schema: Schema, a: A.SetNotNull, rev: str | None) -> None:
    schema._with_column(a.table, a.column, nullable=False)


def _drop_not_null(schema: Schema, a: A.DropNotNull, rev: str | None) -> None:
    schema._with_column(a.table, a.column, nullable=True)


def _set_default(schema: Schema, a: A.SetDefault, rev: str | None) -> None:
    schema._with_column(a.table, a.column, default_sql=a.default_sql)


def _add_constraint(schema: Schema, a: A.AddConstraint, rev: str | None) -> None:
    current = schema._table_or_placeholder(a.table)
    c = a.constraint
    new = Constraint(name=_constraint_name(schema, a.table, current.constraints, c.kind, c.columns, c.name),
                     kind=c.kind, validated=not c.not_valid, not_null_column=c.not_null_column,
                     columns=c.columns, added_in=rev, references=c.references,
                   referred_columns=c.referred_columns)
    changes: dict[str, object] = {"constraints": current.constraints.append(new)}
    if c.kind == "primary_key" and c.columns:
        columns = current.columns
        for name in c.columns:
            col = columns.get(name) or Column(name=name, type=None)
            columns = columns.set(name, replace(col, nullable=False))
        changes["columns"] = columns
    schema._put(replace(current, **changes))


def _validate_constraint(schema: Schema, a: A.ValidateConstraint, rev: str | None) -> None:
    current = schema._table_or_placeholder(a.table)
    constraints = current.constraints.replace_where(lambda c: c.name == a.name, lambda c: replace(c, validated=True))
    schema._put(replace(current, constraints=constraints))


def _drop_constraint(schema: Schema, a: A.DropConstraint, rev: str | None) -> None:
    current = schema.tables.get(a.table)
    if current is not None:
        schema._put(replace(current, constraints=current.constraints.remove_where(lambda c: c.name == a.name)))


def _create_index(schema: Schema, a: A.CreateIndex, rev: str | None) -> None:
    if a.name is not None:
        schema.indexes[a.name] = Index(name=a.name, table=a.table, unique=a.unique, created_in=rev,
                                       columns=a.columns, partial=a.partial)


def _drop_index(schema: Schema, a: A.DropIndex, rev: str | None) -> None:
    schema.indexes.pop(a.name, None)


def _rename_index(schema: Schema, a: A.RenameIndex, rev: str | None) -> None:
    found = schema.indexes.pop(a.name, None)
    if found is not None:
        new = QName(a.name.schema, a.new_name)
        schema.indexes[new] = replace(found, name=new)


def _create_enum(schema: Schema, a: A.CreateEnum, rev: str | None) -> None:
    schema.enums[a.type] = EnumType(name=a.type, labels=a.labels, created_in=rev)


def _add_enum_value(schema: Schema, a: A.AddEnumValue, rev: str | None) -> None:
    current = schema.enums.get(a.type) or EnumType(name=a.type, labels=())
    if a.label not in current.labels:
        schema.enums[a.type] = replace(current, labels=current.labels + (a.label,))


def _rename_enum_value(schema: Schema, a: A.RenameEnumValue, rev: str | None) -> None:
    current = schema.enums.get(a.type)
    if current is not None:
        schema.enums[a.type] = replace(current, labels=tuple(a.new if x == a.old else x for x in current.labels))


def _rename_type(schema: Schema, a: A.RenameType, rev: str | None) -> None:
    current = schema.enums.pop(a.type, None)
    if current is not None:
        new = QName(a.type.schema, a.new_name)
        schema.enums[new] = replace(current, name=new)


def _drop_type(schema: Schema, a: A.DropType, rev: str | None) -> None:
    schema.enums.pop(a.type, None)


# -- what a transaction knows that other sessions do not ---------------------------------------------------------

def _transaction_effects(schema: Schema, action: A.Action, transaction: int) -> dict[QName, Table | None]:
    """Before the action runs: note the tables it locks against writers in ``transaction``; return the
    relations it may create, as they were (to tell a CREATE that made something from an IF NOT EXISTS that
    did not)."""
    from migsafe.pg_locks import blocks
    from migsafe.sql.locks import action_locks

    for lock in action_locks(action, None, schema.tables, schema.indexes):
        table = schema.tables.get(lock.table)
        # SHARE and stronger conflict with the ROW EXCLUSIVE lock an INSERT needs.
        if blocks(lock.mode).writes and table is not None and not lock.unknown_table:
            schema._put(replace(table, write_locked_in_transaction=transaction))
    if isinstance(action, A.CreateTable):
        return {action.table: schema.tables.get(action.table)}
    if isinstance(action, A.CreateMatView):
        return {action.view: schema.tables.get(action.view)}
    return {}


def _after_in_transaction(schema: Schema, action: A.Action, rev: str | None, transaction: int,
                          before: dict[QName, Table | None]) -> None:
    for name, was in before.items():
        made = schema.tables.get(name)
        if made is not None and made is not was:
            schema._put(replace(made, created_in_transaction=transaction, write_locked_in_transaction=transaction))
    if isinstance(action, A.Truncate):
        for name in _truncated(schema, action):
            _mark_emptied(schema, name, rev, transaction)
    elif isinstance(action, A.AddColumn):
        table = schema.tables.get(action.table)
        if table is not None and table.emptied_in_transaction != transaction \
                and add_column_fails_on_rows(action, schema.enums):
            # Past this statement the table holds no row (with one, PostgreSQL aborts: "column contains null
            # values"), and its ACCESS EXCLUSIVE lock keeps other sessions from adding any until commit.
            _mark_emptied(schema, action.table, rev, transaction, by_failure=True)
    elif isinstance(action, A.DataChange):
        table = schema.tables.get(action.table)
        if table is None:
            return
        if action.kind in ("INSERT", "INSERT_SELECT") and table.emptied_in_transaction is not None:
            schema._put(replace(table, emptied_in_transaction=None, emptied_by_failure=False))
        elif action.kind == "DELETE" and not action.has_where and table.write_locked_in_transaction == transaction:
            # Every row this transaction can see is gone, and its lock keeps other sessions from adding any
            # until it commits. A DELETE without such a lock leaves the application free to insert again.
            _mark_emptied(schema, action.table, rev, transaction)


def _truncated(schema: Schema, action: A.Truncate) -> list[QName]:
    """The tables a TRUNCATE empties: with CASCADE, every table whose foreign keys reach it too."""
    names = [action.table]
    if action.cascade:
        for name in names:
            names.extend(t.name for t in schema.tables.values() if t.name not in names and any(
                c.kind == "foreign_key" and c.references == name for c in t.constraints))
    return names


def _mark_emptied(schema: Schema, name: QName, rev: str | None, transaction: int, by_failure: bool = False) -> None:
    table = schema._table_or_placeholder(name)
    # TRUNCATE (and ALTER TABLE) take ACCESS EXCLUSIVE: held until the transaction ends.
    schema._put(replace(table, emptied_in_transaction=transaction, emptied_in=rev, emptied_by_failure=by_failure,
                        write_locked_in_transaction=transaction))


# PostgreSQL's built-in base and range types (pg_catalog), as the parser names them: none has a default. A
# column of any other type may be of a domain, and a domain's default fills the existing rows (checked on 15:
# ADD COLUMN c d NOT NULL, with CREATE DOMAIN d AS int DEFAULT 7, succeeds on a table with rows).
_BUILTIN_TYPES = frozenset(
    "bit bool box bpchar bytea char cidr circle date datemultirange daterange float4 float8 inet int2 int4 "
    "int4multirange int4range int8 int8multirange int8range interval json jsonb jsonpath line lseg macaddr "
    "macaddr8 money name numeric nummultirange numrange oid path point polygon text time timestamp timestamptz "
    "timetz tsmultirange tsquery tsrange tstzmultirange tstzrange tsvector uuid varbit varchar xml".split())


def add_column_fails_on_rows(action: A.AddColumn, enums: Mapping[QName, EnumType | None]) -> bool:
    """Whether ``ADD COLUMN`` aborts on a table that has a row: NOT NULL, nothing to fill the existing rows
    with (no default, no serial, identity or generated value), of a type that brings no default either (a
    built-in type, or an enum in ``enums``), and not ``IF NOT EXISTS`` (which may do nothing)."""
    column = action.column
    if not column.not_null or not column.leaves_rows_null or action.if_not_exists:
        return False
    sql_type = column.type
    if sql_type is None or not sql_type.known:
        return False  # a stand-in's type is unknown: it may be a domain with a default
    if sql_type.schema is None and sql_type.name in _BUILTIN_TYPES:
        return True
    return enums.get(sql_type.qname) is not None


_APPLY = {
    A.CreateTable: _create_table,
    A.DropTable: _drop_table,
    A.RenameTable: _rename_table,
    A.AddColumn: _add_column,
    A.DropColumn: _drop_column,
    A.RenameColumn: _rename_column,
    A.AlterColumnType: _alter_type,
    A.SetNotNull: _set_not_null,
    A.DropNotNull: _drop_not_null,
    A.SetDefault: _set_default,
    A.AddConstraint: _add_constraint,
    A.ValidateConstraint: _validate_constraint,
    A.DropConstraint: _drop_constraint,
    A.CreateIndex: _create_index,
    A.DropIndex: _drop_index,
    A.RenameIndex: _rename_index,
    A.CreateEnum: _create_enum,
    A.AddEnumValue: _add_enum_value,
    A.RenameEnumValue: _rename_enum_value,
    A.RenameType: _rename_type,
    A.DropType: _drop_type,
    A.CreateMatView: _create_matview,
    A.DropMatView: _drop_matview,
}
