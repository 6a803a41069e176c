"""Answer SQLAlchemy reflection from the schema model.

Real revisions ask the database about itself: ``sa.inspect(bind).get_table_names()`` to stay idempotent,
``has_table``, ``get_columns``, ``sa.Table(name, meta, autoload_with=bind)`` to build a table for a data
migration. Offline there is no database, but the schema model knows what the history created, so the
stand-in connection's inspector answers from it. Without this, such revisions would either crash
(``NoSuchTableError``) or silently skip their operations.
"""

from __future__ import annotations

from typing import Any, Callable

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine.reflection import Inspector

from migsafe.model import Note, RecordedRevision
from migsafe.schema import Constraint, Schema, Table, default_constraint_name
from migsafe.sql.actions import QName, SqlType

_SIMPLE_TYPES: dict[str, Callable[[SqlType], Any]] = {
    "int2": lambda t: sa.SmallInteger(),
    "int4": lambda t: sa.Integer(),
    "int8": lambda t: sa.BigInteger(),
    "varchar": lambda t: sa.String(int(t.mods[0]) if t.mods else None),
    "bpchar": lambda t: sa.CHAR(int(t.mods[0]) if t.mods else None),
    "text": lambda t: sa.Text(),
    "bool": lambda t: sa.Boolean(),
    "timestamp": lambda t: sa.DateTime(),
    "timestamptz": lambda t: sa.DateTime(timezone=True),
    "date": lambda t: sa.Date(),
    "time": lambda t: sa.Time(),
    "numeric": lambda t: sa.Numeric(*[int(m) for m in t.mods]) if t.mods else sa.Numeric(),
    "float4": lambda t: sa.REAL(),
    "float8": lambda t: sa.Float(),
    "uuid": lambda t: postgresql.UUID(),
    "json": lambda t: sa.JSON(),
    "jsonb": lambda t: postgresql.JSONB(),
    "bytea": lambda t: sa.LargeBinary(),
    "interval": lambda t: sa.Interval(),
}


def sqlalchemy_type(sqltype: SqlType | None) -> Any:
    from migsafe.recording.operations import RawType

    if sqltype is None:
        return sa.types.NullType()
    if not sqltype.known:
        # Reflected again into a batch copy or an autoloaded table: still the stand-in, still unknown.
        from migsafe.recording.stubs import UnknownType

        base = UnknownType(sqltype.name, sqltype.standin)
        return postgresql.ARRAY(base) if sqltype.array else base
    factory = _SIMPLE_TYPES.get(sqltype.name) if sqltype.schema is None else None
    base = factory(sqltype) if factory else RawType(str(sqltype).removesuffix("[]"))
    return postgresql.ARRAY(base) if sqltype.array else base


class StandInTables:
    """Tables the schema model cannot know: an application helper that ran as a stand-in (its module was not
    importable) may have created any table, so a later revision that reflects a table the model lacks
    (``autoload_with=``, ``get_columns``) is answered "exists, columns unknown" once one has run, and that
    revision gets a partial note; before, it is the revision's own error (``NoSuchTableError``), as on a
    database without the table. ``has_table`` and the name lists still answer from the model."""

    def __init__(self) -> None:
        self.creator: tuple[str, int] | None = None  # (revision, line) of the first stand-in call
        self.current: RecordedRevision | None = None

    def saw(self, revision: RecordedRevision) -> None:
        # ``stubbed`` first: a revision taken from the cache reads its recording (``stub_calls``) from disk on
        # first use, which for every revision of a warm review cost half a second on 2,000 revisions.
        if self.creator is None and revision.stubbed and revision.error is None and revision.stub_calls:
            self.creator = (revision.revision, revision.stub_calls[0][1])

    def __call__(self, name: QName) -> bool:
        if self.creator is None or self.current is None:
            return False
        rec = self.current
        shown = name.name if name.schema == "public" else f"{name.schema}.{name.name}"
        if not any(n.kind == "partial-reflection" and f"table {shown} " in n.message for n in rec.notes):
            revision, line = self.creator
            rec.notes.append(Note(
                kind="partial-reflection",
                message=f"partial review: reflected table {shown} is not in the schema model, but revision "
                        f"{revision} ran application code as stand-ins (line {line}) that may have created it: "
                        "answered as existing with unknown columns",
                path=rec.path, line=rec.file.line, revision=rec.revision))
        return True


def schema_model_inspector(schema_source: Callable[[], Schema],
                           default_schema: Callable[[], str] = lambda: "public",
                           unknown_table: Callable[[QName], bool] = lambda name: False) -> type[Inspector]:
    """An Inspector class bound to the recorder's (current) schema model; unqualified names are in the
    session's ``default_schema()`` (the first schema of its search_path). ``unknown_table``: whether a table
    the model lacks is reflected as existing with unknown columns (see StandInTables)."""

    class SchemaModelInspector(Inspector):
        def _table(self, name: str, schema: str | None) -> Table | None:
            model = schema_source()
            qname = QName(schema or default_schema(), name)
            found = model.tables.get(qname)
            if found is None and not model.complete:
                # Reviewing without the start of the history: every table we were not told about exists.
                return Table(name=qname)
            return found

        def _require(self, name: str, schema: str | None) -> Table:
            table = self._table(name, schema)
            if table is None:
                qname = QName(schema or default_schema(), name)
                if unknown_table(qname):
                    return Table(name=qname)
                raise sa.exc.NoSuchTableError(name)
            return table

        @property
        def default_schema_name(self) -> str:
            return default_schema()

        def get_schema_names(self, **kw: Any) -> list[str]:
            return sorted({q.schema for q in schema_source().tables} | {"public", default_schema()})

        def has_schema(self, schema_name: str, **kw: Any) -> bool:
            return schema_name in self.get_schema_names()

        def get_table_names(self, schema: str | None = None, **kw: Any) -> list[str]:
            return self._names("table", schema)

        def _names(self, kind: str, schema: str | None) -> list[str]:
            """The model keeps materialized views with the tables (indexes are built on both); PostgreSQL's
            inspector lists them apart."""
            return sorted(q.name for q, t in schema_source().tables.items()
                          if q.schema == (schema or default_schema()) and t.kind == kind)

        def has_table(self, table_name: str, schema: str | None = None, **kw: Any) -> bool:
            return self._table(table_name, schema) is not None

        def get_view_names(self, schema: str | None = None, **kw: Any) -> list[str]:
            return []

        def get_materialized_view_names(self, schema: str | None = None, **kw: Any) -> list[str]:
            return self._names("matview", schema)

        def get_sequence_names(self, schema: str | None = None, **kw: Any) -> list[str]:
            return []

        def has_sequence(self, sequence_name: str, schema: str | None = None, **kw: Any) -> bool:
            return False

        def get_columns(self, table_name: str, schema: str | None = None, **kw: Any) -> list[dict[str, Any]]:
            table = self._require(table_name, schema)
            return [
                {"name": c.name, "type": sqlalchemy_type(c.type), "nullable": c.nullable,
                 "default": c.default_sql, "autoincrement": False, "comment": None}
                for c in table.columns.values()
            ]

        def get_pk_constraint(self, table_name: str, schema: str | None = None, **kw: Any) -> dict[str, Any]:
            table = self._require(table_name, schema)
            for c in table.constraints:
                if c.kind == "primary_key":
                    return {"name": c.name or default_constraint_name(table.name.name, (), "pkey"),
                            "constrained_columns": list(c.columns)}
            return {"name": None, "constrained_columns": []}

        def get_foreign_keys(self, table_name: str, schema: str | None = None, **kw: Any) -> list[dict[str, Any]]:
            """Revisions look up a foreign key's name to drop it (``generic_find_fk_constraint_name``): an
            empty answer made them drop a constraint named None, which SQLAlchemy refuses to compile."""
            table = self._require(table_name, schema)
            return [_foreign_key(table, c, schema_source(), default_schema())
                    for c in table.constraints if c.kind == "foreign_key" and c.references is not None]

        def get_indexes(self, table_name: str, schema: str | None = None, **kw: Any) -> list[dict[str, Any]]:
            table = self._require(table_name, schema)
            return [
                {"name": ix.name.name, "column_names": [], "unique": ix.unique, "dialect_options": {}}
                for ix in schema_source().indexes.values() if ix.table == table.name
            ]

        def has_index(self, table_name: str, index_name: str, schema: str | None = None, **kw: Any) -> bool:
            return any(ix.name.name == index_name for ix in self.get_indexes(table_name, schema))

        def get_unique_constraints(self, table_name: str, schema: str | None = None,
                                   **kw: Any) -> list[dict[str, Any]]:
            table = self._require(table_name, schema)
            return [{"name": c.name or default_constraint_name(table.name.name, c.columns, "key"),
                     "column_names": list(c.columns)} for c in table.constraints if c.kind == "unique"]

        def get_check_constraints(self, table_name: str, schema: str | None = None,
                                  **kw: Any) -> list[dict[str, Any]]:
            table = self._require(table_name, schema)
            return [{"name": c.name, "sqltext": ""} for c in table.constraints if c.kind == "check"]

        def get_table_comment(self, table_name: str, schema: str | None = None, **kw: Any) -> dict[str, Any]:
            return {"text": None}

        def get_enums(self, schema: str | None = None, **kw: Any) -> list[dict[str, Any]]:
            return [
                {"name": e.name.name, "schema": e.name.schema, "visible": e.name.schema == default_schema(),
                 "labels": list(e.labels)}
                for e in schema_source().enums.values() if schema in (None, "*", e.name.schema)
            ]

        def reflect_table(self, table: sa.Table, include_columns: Any = None, exclude_columns: Any = (),
                          resolve_fks: bool = True, _extend_on: Any = None, _reflect_info: Any = None) -> None:
            for column in self.get_columns(table.name, table.schema):
                if include_columns and column["name"] not in include_columns:
                    continue
                if column["name"] in (exclude_columns or ()):
                    continue
                table.append_column(sa.Column(column["name"], column["type"], nullable=column["nullable"]),
                                    replace_existing=True)
            primary = self.get_pk_constraint(table.name, table.schema)["constrained_columns"]
            if primary:
                table.append_constraint(sa.PrimaryKeyConstraint(*primary))

    return SchemaModelInspector


def _foreign_key(table: Table, c: Constraint, model: Schema, default_schema: str) -> dict[str, Any]:
    """A foreign key as PostgreSQL's inspector reports it; REFERENCES t without columns names t's primary
    key, as PostgreSQL resolves it."""
    assert c.references is not None
    referred = c.referred_columns
    if not referred:
        target = model.tables.get(c.references)
        referred = next((k.columns for k in (target.constraints if target else ()) if k.kind == "primary_key"), ())
    return {"name": c.name or default_constraint_name(table.name.name, c.columns, "fkey"),
            "constrained_columns": list(c.columns),
            "referred_schema": None if c.references.schema == default_schema else c.references.schema,
            "referred_table": c.references.name, "referred_columns": list(referred), "options": {}}
