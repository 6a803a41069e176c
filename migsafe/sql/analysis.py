"""Turn PostgreSQL SQL text into :mod:`migsafe.sql.actions` with pglast, PostgreSQL's own parser.

Why pglast and not regular expressions or sqlglot: migrations are full of statements that only PostgreSQL's
grammar gets right (``ALTER TYPE ... ADD VALUE``, ``VALIDATE CONSTRAINT``, ``ADD ... USING INDEX``, ``DO``
blocks); a wrong parse here is a missed finding or a false alarm everywhere downstream.
"""

from __future__ import annotations

import re
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, Iterable, Iterator, Mapping

from pglast import ast, enums

from migsafe.sql import actions as A
from migsafe.sql.actions import QName, SqlType
from migsafe.sql.parser import ParseError, parse_sql

# Functions whose value differs per row: as a column default they force PostgreSQL to rewrite the table
# when the column is added (11+ stores non-volatile defaults in the catalog instead). Kept as a list
# because the review has no catalog to ask for ``provolatile``.
VOLATILE_FUNCTIONS = frozenset(
    {
        "random",
        "gen_random_uuid",
        "uuid_generate_v1",
        "uuid_generate_v1mc",
        "uuid_generate_v4",
        "uuidv4",
        "uuidv7",
        "clock_timestamp",
        "timeofday",
        "nextval",
        "setval",
        "random_normal",
        "gen_random_bytes",
    }
)

# SERIAL pseudo-types: each expands to an integer column with a sequence default.
SERIAL_TYPES = {"serial": "int4", "serial4": "int4", "bigserial": "int8", "serial8": "int8",
                "smallserial": "int2", "serial2": "int2"}


@dataclass
class ParsedStatement:
    """One statement of a SQL string, with where it sits in that string."""

    text: str
    start: int
    end: int
    node: Any | None = None
    actions: tuple[A.Action, ...] = ()
    error: str | None = None
    kind: str = ""


_PARAM_RE = re.compile(r"%\((\w+)\)s|%s")


def statement_head(sql: str) -> str:
    """The statement's first keyword onwards, upper-cased, for telling reads from writes before parsing: a
    parenthesised query (``(SELECT ...)``, ``((SELECT ...) UNION (...))``) is a read like any other."""
    return sql.lstrip().lstrip("(").lstrip().upper()


def driver_sql_to_postgres(sql: str) -> str:
    """Replace DBAPI placeholders (``%(name)s``, ``%s``) with ``$n`` so pglast can parse driver-level SQL."""
    counter = iter(range(1, 10_000))
    return _PARAM_RE.sub(lambda _m: f"${next(counter)}", sql).replace("%%", "%")


def parse(sql: str, default_schema: str = "public") -> list[ParsedStatement]:
    """Split and analyse ``sql``; never raises: an unparseable string becomes one statement with ``error``."""
    try:
        raw = parse_sql(sql)
    except ParseError as exc:
        text = sql.strip()
        return [ParsedStatement(text=text, start=0, end=len(sql), error=str(exc).split("\n")[0],
                                kind=_first_word(text))] if text else []
    except Exception as exc:  # pglast raises a few other exception types on odd input
        return [ParsedStatement(text=sql.strip(), start=0, end=len(sql), error=f"{type(exc).__name__}: {exc}")]
    encoded = sql.encode("utf-8")
    out: list[ParsedStatement] = []
    for rawstmt in raw:
        # pglast locations are byte offsets into the UTF-8 encoding.
        start = rawstmt.stmt_location or 0
        length = rawstmt.stmt_len or (len(encoded) - start)
        text = encoded[start : start + length].decode("utf-8", "replace").strip()
        cstart = len(encoded[:start].decode("utf-8", "replace"))
        cend = cstart + len(encoded[start : start + length].decode("utf-8", "replace"))
        node = rawstmt.stmt
        stmt = ParsedStatement(text=text, start=cstart, end=cend, node=node, kind=type(node).__name__)
        try:
            stmt.actions = tuple(_actions(node, default_schema))
        except Exception as exc:  # a shape we did not foresee must not take the review down
            stmt.actions = (A.Other(kind=type(node).__name__),)
            stmt.error = f"could not analyse {type(node).__name__}: {exc}"
        out.append(stmt)
    return out


_CATALOG_SCHEMAS = frozenset({"pg_catalog", "information_schema"})


def catalog_query(sql: str) -> bool:
    """True for a SELECT that reads only system catalogs (introspection, not data)."""
    try:
        statements = parse_sql(sql)
    except Exception:
        return False
    for raw in statements:
        if not isinstance(raw.stmt, ast.SelectStmt):
            return False
        relations = [n for n in walk_nodes(raw.stmt) if isinstance(n, ast.RangeVar)]
        if not relations or any(r.schemaname not in _CATALOG_SCHEMAS and not r.relname.startswith("pg_")
                                for r in relations):
            return False
    return True


_AGGREGATES = frozenset({"count", "sum", "max", "min", "avg", "bool_and", "bool_or", "every", "array_agg",
                         "string_agg", "json_agg", "jsonb_agg"})


def result_shape(sql: str) -> tuple[list[str], tuple[object, ...] | None] | None:
    """Column names a SELECT returns, and the one row it returns whatever the data (only aggregates and no
    GROUP BY, or no FROM at all); None for anything that is not a single plain SELECT.

    The offline stand-in connection has no data; this lets ``count(*)`` guards and ``SELECT 1`` checks in
    data migrations see what any database would answer (a count of 0) instead of an impossible empty result.
    """
    try:
        statements = parse_sql(sql)
    except Exception:
        return None
    if len(statements) != 1 or not isinstance(statements[0].stmt, ast.SelectStmt):
        return None
    select = statements[0].stmt
    if select.targetList is None:
        return None
    names = [t.name or _target_name(t.val) for t in select.targetList]
    values = [_constant_value(t.val) for t in select.targetList]
    if select.groupClause or select.havingClause:
        return names, None
    if select.fromClause is None:
        return names, tuple(values)
    if all(_aggregate(t.val) for t in select.targetList):
        return names, tuple(0 if _aggregate(t.val) == "count" else None for t in select.targetList)
    return names, None


def _aggregate(value: Any) -> str | None:
    if isinstance(value, ast.FuncCall):
        name = value.funcname[-1].sval.lower()
        return name if name in _AGGREGATES else None
    return None


def _target_name(value: Any) -> str:
    if isinstance(value, ast.FuncCall):
        return value.funcname[-1].sval.lower()
    if isinstance(value, ast.ColumnRef) and value.fields and isinstance(value.fields[-1], ast.String):
        return value.fields[-1].sval
    return "?column?"


def _constant_value(value: Any) -> object:
    if isinstance(value, ast.A_Const) and value.val is not None:
        return getattr(value.val, "ival", getattr(value.val, "sval", None))
    return None


# Type names that stand-ins for uninstalled application types rendered into the SQL being parsed (the quoted
# spelling -> the application type, or None for a type the model never knew). Set by the recorder around the
# parse of the statement they rendered.
_STANDIN_TYPES: ContextVar[Mapping[str, str | None]] = ContextVar("migsafe_standin_types", default={})


@contextmanager
def standin_types(names: Mapping[str, str | None]) -> Iterator[None]:
    """Parse with these type names taken as stand-ins: their columns get a type marked unknown (or none)."""
    token = _STANDIN_TYPES.set(names)
    try:
        yield
    finally:
        _STANDIN_TYPES.reset(token)


def parse_type(type_sql: str) -> SqlType | None:
    """Parse a type as SQL spells it (``VARCHAR(20)``, ``TIMESTAMP WITH TIME ZONE``, ``myenum``)."""
    try:
        node = parse_sql(f"SELECT NULL::{type_sql}")[0].stmt
        return normalize_type(node.targetList[0].val.typeName)
    except Exception:
        return None


def normalize_type(type_name: Any) -> SqlType | None:
    if type_name is None:
        return None
    names = [n.sval for n in type_name.names or ()]
    if not names:
        return None
    schema = names[0] if len(names) > 1 else None
    standins = _STANDIN_TYPES.get()
    if schema is None and names[-1] in standins:  # as spelled: the quoted "JSON" a stand-in rendered, not json
        standin = standins[names[-1]]
        return None if standin is None else SqlType(name=names[-1], array=bool(type_name.arrayBounds),
                                                    standin=standin)
    name = names[-1].lower()
    mods: list[int | str] = []
    for mod in type_name.typmods or ():
        if isinstance(mod, ast.A_Const) and mod.val is not None:
            value = getattr(mod.val, "ival", None)
            if value is None:
                value = getattr(mod.val, "sval", None)
            if value is not None:
                mods.append(value)
    if schema == "pg_catalog":
        schema = None
    return SqlType(name=name, mods=tuple(mods), array=bool(type_name.arrayBounds), schema=schema)


def _first_word(text: str) -> str:
    word = text.split(None, 1)[0] if text.split() else ""
    return word.upper()


def qualified(rangevar: Any, default_schema: str) -> QName:
    """A RangeVar's table: unqualified names mean the session's default schema (first of the search_path)."""
    return QName(rangevar.schemaname or default_schema, rangevar.relname)


def _names_toqualified(names: Iterable[Any], default_schema: str) -> QName:
    parts = [n.sval for n in names]
    if len(parts) >= 2:
        return QName(parts[-2], parts[-1])
    return QName(default_schema, parts[-1])


def _deparse(node: Any) -> str:
    from pglast.stream import RawStream

    try:
        return RawStream()(node)
    except Exception:
        return "<expression>"


def is_volatile(expr: Any) -> bool:
    """True when the expression calls a volatile function (anywhere inside it)."""
    for node in walk_nodes(expr):
        if isinstance(node, ast.FuncCall):
            fname = node.funcname[-1].sval.lower()
            if fname in VOLATILE_FUNCTIONS:
                return True
    return False


def walk_nodes(node: Any) -> Iterable[Any]:
    """Every pglast node under ``node`` (itself included), depth first. With a stack rather than recursive
    generators, whose cost grows with the depth of the tree for every node yielded."""
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, (tuple, list)):
            stack.extend(reversed(current))
        elif isinstance(current, ast.Node):
            yield current
            stack.extend(reversed([getattr(current, attr) for attr in current]))  # attribute names


def string_literals(node: Any) -> Iterable[str]:
    """String constants in a statement (quoted words inside a DO block too): where an enum label is used."""
    for sub in walk_nodes(node):
        if isinstance(sub, ast.A_Const) and isinstance(sub.val, ast.String):
            yield sub.val.sval
    if isinstance(node, ast.DoStmt):
        # DO blocks hide their SQL in a string: quoted words are enough to spot a label use.
        for arg in node.args or ():
            body = getattr(arg.arg, "sval", "") or ""
            yield from re.findall(r"'((?:[^']|'')*)'", body)


def _column_spec(coldef: Any) -> A.ColumnSpec:
    sqltype = normalize_type(coldef.typeName)
    serial = False
    if sqltype is not None and sqltype.schema is None and sqltype.name in SERIAL_TYPES:
        serial = True
        sqltype = SqlType(SERIAL_TYPES[sqltype.name])
    not_null = bool(coldef.is_not_null)
    default_sql: str | None = None
    volatile = False
    identity = bool(coldef.identity and coldef.identity != "\x00")
    generated_stored = bool(coldef.generated and coldef.generated not in ("\x00", "v"))
    generated_virtual = coldef.generated == "v"
    primary_key = False
    defaults = []
    if coldef.raw_default is not None:
        default_sql = _deparse(coldef.raw_default)
        volatile = is_volatile(coldef.raw_default)
        defaults.append(coldef.raw_default)
    for con in coldef.constraints or ():
        ct = con.contype
        if ct == enums.ConstrType.CONSTR_NOTNULL:
            not_null = True
        elif ct == enums.ConstrType.CONSTR_DEFAULT:
            default_sql = _deparse(con.raw_expr)
            volatile = is_volatile(con.raw_expr)
            defaults.append(con.raw_expr)
        elif ct == enums.ConstrType.CONSTR_IDENTITY:
            identity = True
            not_null = True
        elif ct == enums.ConstrType.CONSTR_GENERATED:
            # generated_kind 's' = STORED; 'v' = VIRTUAL (PostgreSQL 18), which stores nothing.
            if con.generated_kind != "v":
                generated_stored = True
            else:
                generated_virtual = True
        elif ct == enums.ConstrType.CONSTR_PRIMARY:
            primary_key = True
            not_null = True
    return A.ColumnSpec(
        name=coldef.colname,
        type=sqltype,
        not_null=not_null,
        default_sql=default_sql,
        default_volatile=volatile,
        serial=serial,
        identity=identity,
        generated_stored=generated_stored,
        primary_key=primary_key,
        default_null=bool(defaults) and all(_is_null_constant(d) for d in defaults),
        generated_virtual=generated_virtual,
    )


def _is_null_constant(expr: Any) -> bool:
    """``NULL`` or ``NULL::type``: a default that gives no value."""
    while isinstance(expr, ast.TypeCast):
        expr = expr.arg
    return isinstance(expr, ast.A_Const) and bool(expr.isnull)


def _not_null_check_column(expr: Any) -> str | None:
    """``col IS NOT NULL`` (the constraint that lets 12+ skip the SET NOT NULL scan)."""
    if isinstance(expr, ast.NullTest) and expr.nulltesttype == enums.NullTestType.IS_NOT_NULL:
        arg = expr.arg
        if isinstance(arg, ast.ColumnRef) and arg.fields and isinstance(arg.fields[-1], ast.String):
            return arg.fields[-1].sval
    return None


_CONSTRAINT_KINDS = {
    enums.ConstrType.CONSTR_CHECK: "check",
    enums.ConstrType.CONSTR_FOREIGN: "foreign_key",
    enums.ConstrType.CONSTR_UNIQUE: "unique",
    enums.ConstrType.CONSTR_PRIMARY: "primary_key",
    enums.ConstrType.CONSTR_EXCLUSION: "exclude",
    enums.ConstrType.CONSTR_NOTNULL: "not_null",
}


def _constraint_spec(con: Any, default_schema: str) -> A.ConstraintSpec | None:
    kind = _CONSTRAINT_KINDS.get(con.contype)
    if kind is None:
        return None
    columns = tuple(k.sval for k in (con.keys or con.fk_attrs or ()) if hasattr(k, "sval"))
    return A.ConstraintSpec(
        kind=kind,
        name=con.conname,
        not_valid=bool(con.skip_validation),
        using_index=con.indexname,
        columns=columns,
        not_null_column=_not_null_check_column(con.raw_expr) if kind == "check" else None,
        references=qualified(con.pktable, default_schema) if con.pktable is not None else None,
        referred_columns=tuple(k.sval for k in (con.pk_attrs or ()) if hasattr(k, "sval")),
    )


def _actions(node: Any, schema: str) -> Iterable[A.Action]:
    handler = _HANDLERS.get(type(node))
    if handler is None:
        yield A.Other(kind=type(node).__name__)
        return
    yield from handler(node, schema)


def _create_table(node: Any, schema: str) -> Iterable[A.Action]:
    columns: list[A.ColumnSpec] = []
    constraints: list[A.ConstraintSpec] = []
    for elt in node.tableElts or ():
        if isinstance(elt, ast.ColumnDef):
            columns.append(_column_spec(elt))
            for con in elt.constraints or ():
                spec = _constraint_spec(con, schema)
                if spec and spec.kind in ("foreign_key", "check", "unique", "primary_key"):
                    constraints.append(A.ConstraintSpec(**{**spec.__dict__, "columns": spec.columns or (elt.colname,)}))
        elif isinstance(elt, ast.Constraint):
            spec = _constraint_spec(elt, schema)
            if spec:
                constraints.append(spec)
    yield A.CreateTable(table=qualified(node.relation, schema), columns=tuple(columns),
                        constraints=tuple(constraints), if_not_exists=bool(node.if_not_exists))


def _create_table_as(node: Any, schema: str) -> Iterable[A.Action]:
    if node.objtype == enums.ObjectType.OBJECT_TABLE and node.into is not None:
        yield A.CreateTable(table=qualified(node.into.rel, schema), as_select=not node.into.skipData)
    elif node.objtype == enums.ObjectType.OBJECT_MATVIEW and node.into is not None:
        yield A.CreateMatView(view=qualified(node.into.rel, schema), with_data=not node.into.skipData,
                              if_not_exists=bool(node.if_not_exists))
    else:
        yield A.Other(kind="CreateMaterializedView")


def _alter_table(node: Any, schema: str) -> Iterable[A.Action]:
    if node.objtype == enums.ObjectType.OBJECT_INDEX and any(
            cmd.subtype == enums.AlterTableType.AT_SetTableSpace for cmd in node.cmds or ()):
        yield A.RewriteTable(command="SET TABLESPACE", index=qualified(node.relation, schema))
        return
    if node.objtype not in (enums.ObjectType.OBJECT_TABLE, enums.ObjectType.OBJECT_FOREIGN_TABLE):
        yield A.Other(kind=f"Alter{node.objtype.name.removeprefix('OBJECT_').title()}")
        return
    table = qualified(node.relation, schema)
    T = enums.AlterTableType
    for cmd in node.cmds or ():
        sub = cmd.subtype
        if sub == T.AT_AddColumn:
            yield A.AddColumn(table=table, column=_column_spec(cmd.def_), if_not_exists=bool(cmd.missing_ok))
            for con in cmd.def_.constraints or ():
                spec = _constraint_spec(con, schema)
                if spec and spec.kind in ("foreign_key", "check", "unique", "primary_key"):
                    yield A.AddConstraint(table=table, constraint=A.ConstraintSpec(
                        **{**spec.__dict__, "columns": spec.columns or (cmd.def_.colname,)}))
        elif sub == T.AT_DropColumn:
            yield A.DropColumn(table=table, column=cmd.name, if_exists=bool(cmd.missing_ok))
        elif sub == T.AT_AlterColumnType:
            coldef = cmd.def_
            yield A.AlterColumnType(table=table, column=cmd.name, new_type=normalize_type(coldef.typeName),
                                    using=coldef.raw_default is not None)
        elif sub == T.AT_SetNotNull:
            yield A.SetNotNull(table=table, column=cmd.name)
        elif sub == T.AT_DropNotNull:
            yield A.DropNotNull(table=table, column=cmd.name)
        elif sub == T.AT_ColumnDefault:
            if cmd.def_ is None:
                yield A.SetDefault(table=table, column=cmd.name, default_sql=None)
            else:
                yield A.SetDefault(table=table, column=cmd.name, default_sql=_deparse(cmd.def_),
                                   volatile=is_volatile(cmd.def_))
        elif sub == T.AT_AddConstraint:
            spec = _constraint_spec(cmd.def_, schema)
            if spec is not None:
                yield A.AddConstraint(table=table, constraint=spec)
            else:
                yield A.Other(kind="AddConstraint", tables=(table,))
        elif sub == T.AT_ValidateConstraint:
            yield A.ValidateConstraint(table=table, name=cmd.name)
        elif sub == T.AT_DropConstraint:
            yield A.DropConstraint(table=table, name=cmd.name, if_exists=bool(cmd.missing_ok))
        elif sub in _REWRITE_SUBCOMMANDS:
            yield A.RewriteTable(command=_REWRITE_SUBCOMMANDS[sub], table=table)
        elif sub == T.AT_DetachPartition:
            yield A.DetachPartition(table=table, partition=qualified(cmd.def_.name, schema),
                                    concurrently=bool(cmd.def_.concurrent))
        else:
            yield A.Other(kind=sub.name.removeprefix("AT_"), tables=(table,))


def _index(node: Any, schema: str) -> Iterable[A.Action]:
    table = qualified(node.relation, schema)
    # An expression element has no column name: "*" stands for "may involve any column".
    columns = tuple(getattr(p, "name", None) or "*" for p in node.indexParams or ())
    name = QName(table.schema, node.idxname) if node.idxname else None
    yield A.CreateIndex(table=table, name=name, concurrently=bool(node.concurrent), unique=bool(node.unique),
                        columns=columns, if_not_exists=bool(node.if_not_exists),
                        partial=node.whereClause is not None)


def _drop(node: Any, schema: str) -> Iterable[A.Action]:
    O = enums.ObjectType
    cascade = node.behavior == enums.DropBehavior.DROP_CASCADE
    for obj in node.objects or ():
        if node.removeType == O.OBJECT_TABLE:
            yield A.DropTable(table=_names_toqualified(obj, schema), cascade=cascade,
                              if_exists=bool(node.missing_ok))
        elif node.removeType == O.OBJECT_MATVIEW:
            yield A.DropMatView(view=_names_toqualified(obj, schema), if_exists=bool(node.missing_ok))
        elif node.removeType == O.OBJECT_INDEX:
            yield A.DropIndex(name=_names_toqualified(obj, schema), concurrently=bool(node.concurrent),
                              if_exists=bool(node.missing_ok))
        elif node.removeType == O.OBJECT_TYPE:
            names = obj.names if isinstance(obj, ast.TypeName) else obj
            yield A.DropType(type=_names_toqualified(names, schema), cascade=cascade)
        else:
            yield A.Other(kind=f"Drop{node.removeType.name.removeprefix('OBJECT_').title()}")


def _rename(node: Any, schema: str) -> Iterable[A.Action]:
    O = enums.ObjectType
    rt = node.renameType
    if rt == O.OBJECT_COLUMN and node.relationType in (O.OBJECT_TABLE, O.OBJECT_FOREIGN_TABLE):
        yield A.RenameColumn(table=qualified(node.relation, schema), column=node.subname, new_name=node.newname)
    elif rt == O.OBJECT_TABLE:
        yield A.RenameTable(table=qualified(node.relation, schema), new_name=node.newname)
    elif rt == O.OBJECT_INDEX:
        yield A.RenameIndex(name=qualified(node.relation, schema), new_name=node.newname)
    elif rt == O.OBJECT_TYPE:
        yield A.RenameType(type=_names_toqualified(node.object, schema), new_name=node.newname)
    else:
        yield A.Other(kind=f"Rename{rt.name.removeprefix('OBJECT_').title()}")


def _enum(node: Any, schema: str) -> Iterable[A.Action]:
    yield A.CreateEnum(type=_names_toqualified(node.typeName, schema),
                       labels=tuple(v.sval for v in node.vals or ()))


def _alter_enum(node: Any, schema: str) -> Iterable[A.Action]:
    qname = _names_toqualified(node.typeName, schema)
    if node.oldVal:
        yield A.RenameEnumValue(type=qname, old=node.oldVal, new=node.newVal)
    else:
        yield A.AddEnumValue(type=qname, label=node.newVal, if_not_exists=bool(node.skipIfNewValExists))


def _update(node: Any, schema: str) -> Iterable[A.Action]:
    yield A.DataChange(kind="UPDATE", table=qualified(node.relation, schema), has_where=node.whereClause is not None)


def _delete(node: Any, schema: str) -> Iterable[A.Action]:
    yield A.DataChange(kind="DELETE", table=qualified(node.relation, schema), has_where=node.whereClause is not None)


def _insert(node: Any, schema: str) -> Iterable[A.Action]:
    select = node.selectStmt
    from_select = isinstance(select, ast.SelectStmt) and select.valuesLists is None
    table = qualified(node.relation, schema)
    yield A.DataChange(kind="INSERT_SELECT" if from_select else "INSERT", table=table,
                       on_conflict=node.onConflictClause is not None,
                       skips_existing=from_select and _skips_existing(select, table, schema))


def _skips_existing(select: Any, target: QName, schema: str) -> bool:
    """Whether an INSERT's SELECT filters with a WHERE and reads the target table itself (``LEFT JOIN target ...
    WHERE target.id IS NULL``, ``WHERE NOT EXISTS (SELECT 1 FROM target ...)``): the usual guard against the
    rows already being there, which makes a second run insert nothing twice."""
    if select.op is not None and select.op != enums.SetOperation.SETOP_NONE:
        return select.larg is not None and select.rarg is not None \
            and _skips_existing(select.larg, target, schema) and _skips_existing(select.rarg, target, schema)
    if select.whereClause is None:
        return False
    return any(isinstance(n, ast.RangeVar) and qualified(n, schema) == target for n in walk_nodes(select))


def _select(node: Any, schema: str) -> Iterable[A.Action]:
    if node.intoClause is not None:
        yield A.CreateTable(table=qualified(node.intoClause.rel, schema), as_select=True)
    else:
        yield A.Other(kind="Select")


def _transaction(node: Any, schema: str) -> Iterable[A.Action]:
    K = enums.TransactionStmtKind
    kinds = {K.TRANS_STMT_BEGIN: "begin", K.TRANS_STMT_START: "begin", K.TRANS_STMT_COMMIT: "commit",
             K.TRANS_STMT_ROLLBACK: "rollback", K.TRANS_STMT_SAVEPOINT: "savepoint",
             K.TRANS_STMT_RELEASE: "release", K.TRANS_STMT_ROLLBACK_TO: "rollback_to",
             K.TRANS_STMT_PREPARE: "prepare", K.TRANS_STMT_COMMIT_PREPARED: "commit_prepared",
             K.TRANS_STMT_ROLLBACK_PREPARED: "rollback_prepared"}
    yield A.Transaction(kind=kinds.get(node.kind, "other"))


def _set(node: Any, schema: str) -> Iterable[A.Action]:
    value = None
    if node.args:
        value = ", ".join(_deparse(a) for a in node.args)
    yield A.SetVariable(name=(node.name or "").lower(), value=value, local=bool(node.is_local))


_HANDLERS = {
    ast.CreateStmt: _create_table,
    ast.CreateTableAsStmt: _create_table_as,
    ast.AlterTableStmt: _alter_table,
    ast.IndexStmt: _index,
    ast.DropStmt: _drop,
    ast.RenameStmt: _rename,
    ast.CreateEnumStmt: _enum,
    ast.AlterEnumStmt: _alter_enum,
    ast.UpdateStmt: _update,
    ast.DeleteStmt: _delete,
    ast.InsertStmt: _insert,
    ast.SelectStmt: _select,
    ast.TransactionStmt: _transaction,
    ast.VariableSetStmt: _set,
}


# LockStmt.mode is PostgreSQL's LOCKMODE number (1 = AccessShareLock ... 8 = AccessExclusiveLock).
LOCK_MODES = {1: "AccessShareLock", 2: "RowShareLock", 3: "RowExclusiveLock", 4: "ShareUpdateExclusiveLock",
              5: "ShareLock", 6: "ShareRowExclusiveLock", 7: "ExclusiveLock", 8: "AccessExclusiveLock"}


def _truncate(node: Any, schema: str) -> Iterable[A.Action]:
    cascade = node.behavior == enums.DropBehavior.DROP_CASCADE
    for relation in node.relations or ():
        yield A.Truncate(table=qualified(relation, schema), cascade=cascade, restart_identity=bool(node.restart_seqs),
                         only=not relation.inh)


def _lock(node: Any, schema: str) -> Iterable[A.Action]:
    mode = LOCK_MODES.get(node.mode, "AccessExclusiveLock")
    for relation in node.relations or ():
        yield A.LockTable(table=qualified(relation, schema), mode=mode, nowait=bool(node.nowait), only=not relation.inh)


def _refresh_matview(node: Any, schema: str) -> Iterable[A.Action]:
    yield A.RefreshMatView(view=qualified(node.relation, schema), concurrently=bool(node.concurrent),
                           with_data=not node.skipData)


_HANDLERS.update({
    ast.TruncateStmt: _truncate,
    ast.LockStmt: _lock,
    ast.RefreshMatViewStmt: _refresh_matview,
})


# ALTER TABLE subcommands that copy the table into new files (checked on 15: the relfilenode changes).
_REWRITE_SUBCOMMANDS = {
    enums.AlterTableType.AT_SetTableSpace: "SET TABLESPACE",
    enums.AlterTableType.AT_SetLogged: "SET LOGGED",
    enums.AlterTableType.AT_SetUnLogged: "SET UNLOGGED",
}

# What PostgreSQL's defGetBoolean reads as false in ``VACUUM (FULL false)`` / ``REINDEX (CONCURRENTLY off)``.
_FALSE_OPTION_WORDS = frozenset({"false", "off", "0", "no"})


def option_enabled(options: Any, name: str) -> bool:
    """True when a ``(NAME [boolean])`` option list turns ``name`` on (a bare ``NAME`` means true)."""
    enabled = False
    for option in options or ():
        if not isinstance(option, ast.DefElem) or option.defname != name:
            continue
        arg = option.arg
        if arg is None:
            enabled = True
        elif getattr(arg, "ival", None) is not None:
            enabled = bool(arg.ival)
        else:
            enabled = str(getattr(arg, "sval", "true")).lower() not in _FALSE_OPTION_WORDS
    return enabled


def _vacuum(node: Any, schema: str) -> Iterable[A.Action]:
    if not (node.is_vacuumcmd and option_enabled(node.options, "full")):
        yield A.Other(kind=type(node).__name__)  # plain VACUUM / ANALYZE: no rewrite
        return
    relations = [r.relation for r in node.rels or () if r.relation is not None]
    if not relations:
        yield A.RewriteTable(command="VACUUM FULL")
    for relation in relations:
        yield A.RewriteTable(command="VACUUM FULL", table=qualified(relation, schema))


def _cluster(node: Any, schema: str) -> Iterable[A.Action]:
    table = qualified(node.relation, schema) if node.relation is not None else None
    yield A.RewriteTable(command="CLUSTER", table=table)


def _move_all(node: Any, schema: str) -> Iterable[A.Action]:
    yield A.RewriteTable(command="SET TABLESPACE")  # ALTER TABLE ALL IN TABLESPACE a SET TABLESPACE b


_REINDEX_KINDS = {
    enums.ReindexObjectType.REINDEX_OBJECT_INDEX: "index",
    enums.ReindexObjectType.REINDEX_OBJECT_TABLE: "table",
    enums.ReindexObjectType.REINDEX_OBJECT_SCHEMA: "schema",
    enums.ReindexObjectType.REINDEX_OBJECT_SYSTEM: "system",
    enums.ReindexObjectType.REINDEX_OBJECT_DATABASE: "database",
}


def _reindex(node: Any, schema: str) -> Iterable[A.Action]:
    relation = qualified(node.relation, schema) if node.relation is not None else None
    yield A.Reindex(kind=_REINDEX_KINDS.get(node.kind, "database"), relation=relation, name=node.name,
                    concurrently=option_enabled(node.params, "concurrently"))


_HANDLERS.update({
    ast.VacuumStmt: _vacuum,
    ast.ClusterStmt: _cluster,
    ast.AlterTableMoveAllStmt: _move_all,
    ast.ReindexStmt: _reindex,
})
