"""volatile-default: a column added with a default PostgreSQL must compute row by row.

Since PostgreSQL 11 a non-volatile default (a constant, ``now()``, ``CURRENT_TIMESTAMP``) is evaluated once and
kept in the catalog: no rewrite. A volatile one (``gen_random_uuid()``, ``clock_timestamp()``, ``nextval()``...)
must differ per row, so the table is rewritten under ACCESS EXCLUSIVE (checked on 15: ``DEFAULT now()`` keeps
the relfilenode, ``DEFAULT clock_timestamp()`` changes it). Before 11 every default rewrites. Serial, identity
and generated columns rewrite too, but have their own rule.
"""

from __future__ import annotations

from typing import Any, Iterator

from pglast import ast, enums

from migsafe.model import Statement
from migsafe.rules.base import Hit, RevisionView, Rule
from migsafe.sql import actions as A

RULE = Rule(
    id="volatile-default",
    severity="error",
    summary="Adding a column with a volatile default (any default before PostgreSQL 11) rewrites the whole table",
    fix="Add the column without a default, then set the default for new rows with "
        "`op.alter_column(\"t\", \"col\", server_default=...)` (no rewrite) and backfill existing rows in batches; "
        "make it NOT NULL afterwards through a validated `CHECK (col IS NOT NULL)`.",
)

_BEFORE_11_FIX = (
    "Before PostgreSQL 11 any default rewrites: add the column without a default (nullable), set the default in "
    "a separate `op.alter_column(\"t\", \"col\", server_default=...)` (it only applies to new rows), and backfill "
    "existing rows in batches."
)


def _is_null_constant(expr: Any) -> bool:
    while isinstance(expr, ast.TypeCast):
        expr = expr.arg
    return isinstance(expr, ast.A_Const) and bool(expr.isnull)


def _default_is_null(statement: Statement, column: str) -> bool:
    """``DEFAULT NULL`` stores no default at all, so even before 11 it writes nothing."""
    node = statement.node
    if not isinstance(node, ast.AlterTableStmt):
        return False
    for cmd in node.cmds or ():
        coldef = cmd.def_
        if (cmd.subtype != enums.AlterTableType.AT_AddColumn or not isinstance(coldef, ast.ColumnDef)
                or coldef.colname != column):
            continue
        defaults = [coldef.raw_default] + [c.raw_expr for c in coldef.constraints or ()
                                           if c.contype == enums.ConstrType.CONSTR_DEFAULT]
        present = [d for d in defaults if d is not None]
        return bool(present) and all(_is_null_constant(d) for d in present)
    return False


@RULE.check
def check(view: RevisionView) -> Iterator[Hit]:
    before_11 = not view.pg_version.at_least(11)
    for statement, action in view.actions(A.AddColumn):
        column = action.column
        if column.default_sql is None or column.serial or column.identity or column.generated_stored:
            continue
        if view.holds_no_rows(statement, action.table) or statement.operation.batch_recreate:
            continue
        where = f"adds column {column.name!r} to table {action.table} with default {column.default_sql}"
        if column.default_volatile:
            yield view.hit(
                statement,
                f"{where}, which is volatile: PostgreSQL computes it for every existing row, rewriting the whole "
                "table and its indexes under an ACCESS EXCLUSIVE lock that blocks reads and writes until it ends",
                key=("column", action.table, column.name),
            )
        elif before_11 and not _default_is_null(statement, column.name):
            yield view.hit(
                statement,
                f"{where}: before PostgreSQL 11 every default is written into each existing row, rewriting the "
                "whole table and its indexes under an ACCESS EXCLUSIVE lock that blocks reads and writes",
                key=("column", action.table, column.name),
                fix=_BEFORE_11_FIX,
            )
