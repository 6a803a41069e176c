"""hidden-rename: a drop plus an identical add in one revision, which is how autogenerate writes a rename.

Autogenerate cannot tell a rename from a drop and an add, so renaming a model attribute or table produces
``op.add_column`` + ``op.drop_column`` (or ``op.create_table`` + ``op.drop_table``). Run as written, the old
values are deleted and the new column or table starts empty. The finding replaces the plain drop-column /
drop-table finding for the same object, because it names the real problem.
"""

from __future__ import annotations

from typing import Iterable, Iterator, Mapping

from migsafe.model import Statement
from migsafe.rules.base import ActionT, Hit, RevisionView, Rule
from migsafe.rules.drop_table import created_in_this_deploy
from migsafe.schema import Column
from migsafe.sql import actions as A

RULE = Rule(
    id="hidden-rename",
    severity="error",
    summary="A column or table is dropped and an identical one added in the same revision: autogenerate's "
            "rename, which deletes the data",
    fix="If you meant a rename, replace the add/drop pair with op.alter_column(..., new_column_name=...) or "
        "op.rename_table(...) (see rename-column / rename-table to do it without breaking running code); if the "
        "data really should go, suppress this finding.",
    supersedes=("drop-column", "drop-table"),
)

ColumnTypes = Mapping[str, A.SqlType]


def same_type(a: A.SqlType | None, b: A.SqlType | None) -> bool:
    """Types are compared as PostgreSQL names them (``sa.String(50)`` and the reflected ``sa.VARCHAR(50)``
    both become ``varchar(50)``); an unknown type is no evidence either way. A type written without a schema
    lives in the default schema, so ``status`` and ``public.status`` are the same enum."""
    if a is None or b is None or not a.known or not b.known:  # a stand-in's SQL type is unknown too
        return False
    return (a.qname, a.mods, a.array) == (b.qname, b.mods, b.array)


@RULE.check
def check(view: RevisionView) -> Iterator[Hit]:
    yield from _column_renames(view)
    yield from _table_renames(view)


def _user_actions(view: RevisionView, kind: type[ActionT]) -> Iterator[tuple[Statement, ActionT]]:
    """Actions the user asked for: a batch recreate's internal CREATE/DROP of the table copy are not."""
    for statement, action in view.actions(kind):
        if not statement.operation.batch_recreate:
            yield statement, action


# -- columns -----------------------------------------------------------------------------------------------------
def _column_renames(view: RevisionView) -> Iterator[Hit]:
    added = [action for _, action in _user_actions(view, A.AddColumn)
             if action.column.type is not None and not action.column.generated_stored]
    for statement, drop in _user_actions(view, A.DropColumn):
        if view.is_new_table(statement, drop.table):
            continue  # no rows, nothing to lose
        old_type = _dropped_column_type(view, statement, drop)
        # A same-named re-add is a type change, not a rename: drop-column reports it (see the docs page).
        names = [a.column.name for a in added
                 if a.table == drop.table and a.column.name != drop.column and same_type(a.column.type, old_type)]
        if not names:
            continue
        yield view.hit(
            statement,
            f"drops column {drop.column!r} of table {drop.table} and adds {_either(map(repr, names))} of the "
            f"same type {old_type} in the same revision: this is how autogenerate writes a rename, and PostgreSQL "
            f"deletes every value of {drop.column!r} (ACCESS EXCLUSIVE lock) while the new column starts empty",
            key=("column", drop.table, drop.column),
            fix=f"If this is a rename, replace the add_column/drop_column pair with "
                f"op.alter_column({drop.table.name!r}, {drop.column!r}, new_column_name={names[0]!r}"
                f"{_schema_kw(drop.table)}) "
                "(see rename-column to do it without breaking running code); if the data really should go, "
                "suppress this finding.",
        )


def _dropped_column_type(view: RevisionView, statement: Statement, drop: A.DropColumn) -> A.SqlType | None:
    """The schema model knows the type when the history created the column; for a file reviewed alone,
    autogenerate's ``downgrade()`` re-adds the dropped column with its reflected type."""
    known = view.table_before(statement, drop.table)
    column = known.column(drop.column) if known is not None else None
    if column is not None and column.type is not None:
        return column.type
    for action in view.revision.downgrade_actions or ():
        if isinstance(action, A.AddColumn) and action.table == drop.table and action.column.name == drop.column:
            return action.column.type
        if isinstance(action, A.CreateTable) and action.table == drop.table:
            for spec in action.columns:
                if spec.name == drop.column:
                    return spec.type
    return None


# -- tables ------------------------------------------------------------------------------------------------------
def _table_renames(view: RevisionView) -> Iterator[Hit]:
    created = [(action.table, _types(action.columns)) for _, action in _user_actions(view, A.CreateTable)
               if not action.as_select]
    for statement, drop in _user_actions(view, A.DropTable):
        if created_in_this_deploy(view, statement, drop.table):
            continue
        old_columns = _dropped_table_columns(view, statement, drop.table)
        if old_columns is None:
            continue
        tables = [table for table, columns in created
                  if table != drop.table and columns is not None and _same_columns(columns, old_columns)]
        if not tables:
            continue
        yield view.hit(
            statement,
            f"drops table {drop.table} and creates {_either(map(str, tables))} with the same columns in the same "
            f"revision: this is how autogenerate writes a rename, and PostgreSQL deletes every row of {drop.table} "
            "(ACCESS EXCLUSIVE lock) while the new table starts empty",
            key=("table", drop.table),
            fix=_table_fix(drop.table, tables[0]),
        )


def _dropped_table_columns(view: RevisionView, statement: Statement, table: A.QName) -> ColumnTypes | None:
    """The model's columns when the history created the table (a table it only heard of has partial
    columns); otherwise the table ``downgrade()`` re-creates."""
    known = view.table_before(statement, table)
    if known is not None and known.created_in is not None:
        model = _types(known.columns.values())
        if model is not None:
            return model
    for action in view.revision.downgrade_actions or ():
        if isinstance(action, A.CreateTable) and action.table == table:
            return _types(action.columns)
    return None


def _types(columns: Iterable[A.ColumnSpec | Column]) -> ColumnTypes | None:
    """Column name -> type; None when there are no columns or a type is unknown (no evidence)."""
    types: dict[str, A.SqlType] = {}
    for column in columns:
        if column.type is None:
            return None
        types[column.name] = column.type
    return types or None


def _same_columns(a: ColumnTypes, b: ColumnTypes) -> bool:
    return a.keys() == b.keys() and all(same_type(a[name], b[name]) for name in a)


# -- wording -----------------------------------------------------------------------------------------------------
def _either(names: Iterable[str]) -> str:
    listed = list(names)
    return listed[0] if len(listed) == 1 else ", ".join(listed[:-1]) + " or " + listed[-1]


def _schema_kw(table: A.QName) -> str:
    return "" if table.schema == A.display_default_schema() else f", schema={table.schema!r}"


def _table_fix(old: A.QName, new: A.QName) -> str | None:
    """The exact call when the new table is in the same schema (``rename_table`` cannot move schemas)."""
    if old.schema != new.schema:
        return None
    return (f"If this is a rename, replace the create_table/drop_table pair with "
            f"op.rename_table({old.name!r}, {new.name!r}{_schema_kw(old)}) (see rename-table to do it without "
            "breaking running code); if the data really should go, suppress this finding.")
