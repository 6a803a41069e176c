"""not-null-without-default: adding a NOT NULL column with no server default to a table that holds rows.

PostgreSQL has nothing to put in the existing rows but NULL, so the ALTER TABLE aborts with ``column "x" of
relation "t" contains null values``: the deploy fails halfway. Columns that fill every row themselves
(serial, identity, generated) are left to their own rule.
"""

from __future__ import annotations

from typing import Any, Iterator

from pglast import ast, enums

from migsafe.model import Statement
from migsafe.rules.base import Hit, RevisionView, Rule
from migsafe.sql import actions as A

RULE = Rule(
    id="not-null-without-default",
    severity="error",
    summary="Adding a NOT NULL column without a server default fails on a table that has rows",
    fix="Give the column a server default (`server_default=...`; on PostgreSQL 11+ a non-volatile default needs "
        "no rewrite), or add it nullable, backfill it in batches, and make it NOT NULL later through a "
        "`CHECK (col IS NOT NULL) NOT VALID` constraint validated in a later transaction.",
)


def _column_def(statement: Statement, column: str) -> Any | None:
    """The ADD COLUMN definition of ``column`` in the statement's AST (None for anything else)."""
    node = statement.node
    if not isinstance(node, ast.AlterTableStmt):
        return None
    for cmd in node.cmds or ():
        if (cmd.subtype == enums.AlterTableType.AT_AddColumn and isinstance(cmd.def_, ast.ColumnDef)
                and cmd.def_.colname == column):
            return cmd.def_
    return None


def _is_null_constant(expr: Any) -> bool:
    while isinstance(expr, ast.TypeCast):
        expr = expr.arg
    return isinstance(expr, ast.A_Const) and bool(expr.isnull)


def _has_real_default(statement: Statement, column: A.ColumnSpec) -> bool:
    """A default other than ``DEFAULT NULL`` (which leaves the existing rows NULL just the same)."""
    if column.default_sql is None:
        return False
    coldef = _column_def(statement, column.name)
    if coldef is None:
        return True
    defaults = [coldef.raw_default] + [c.raw_expr for c in coldef.constraints or ()
                                       if c.contype == enums.ConstrType.CONSTR_DEFAULT]
    return not all(_is_null_constant(d) for d in defaults if d is not None)


def _fills_every_row(statement: Statement, column: A.ColumnSpec) -> bool:
    """Serial, identity and generated columns (stored or, on PostgreSQL 18, virtual) compute a value for each
    existing row; the cost of that is another rule's business."""
    if column.serial or column.identity or column.generated_stored:
        return True
    coldef = _column_def(statement, column.name)
    return coldef is not None and any(c.contype == enums.ConstrType.CONSTR_GENERATED
                                      for c in coldef.constraints or ())


@RULE.check
def check(view: RevisionView) -> Iterator[Hit]:
    for statement, action in view.actions(A.AddColumn):
        column = action.column
        if not column.not_null or _fills_every_row(statement, column):
            continue
        if _has_real_default(statement, column):
            continue
        if view.holds_no_rows(statement, action.table):
            continue
        yield view.hit(
            statement,
            f"adds column {column.name!r} to table {action.table} as NOT NULL without a default: as soon as the "
            f"table has a row, PostgreSQL aborts the migration with 'column \"{column.name}\" of relation "
            f"\"{action.table.name}\" contains null values'",
            key=("column", action.table, column.name),
        )
