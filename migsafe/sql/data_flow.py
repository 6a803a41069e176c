"""Which tables and columns a data statement reads and fills: evidence that a revision moves data on purpose.

A revision that drops one column and adds another may copy the values across first (``UPDATE t SET new =
f(old)``, ``INSERT ... SELECT``, or a Python loop over ``SELECT id, old FROM t`` whose writes offline
recording never sees, because the SELECT returns no rows). Such a revision loses nothing by accident. The
answers here are deliberately generous: a statement that merely *might* read the column counts, since a
false "it reads it" only costs a finding, while a false "it does not" accuses the author of losing data.
"""

from __future__ import annotations

import re
from typing import Any, Iterable

from pglast import ast

from migsafe.model import Statement
from migsafe.sql.actions import QName
from migsafe.sql.analysis import qualified, walk_nodes

# Statements that move data. DDL is left out on purpose: ``ALTER TABLE t DROP COLUMN old`` names the column
# without reading its values. DELETE is left out too: it reads a column only to choose rows to throw away.
_DATA_NODES = (ast.SelectStmt, ast.InsertStmt, ast.UpdateStmt, ast.CreateTableAsStmt, ast.MergeStmt)


def reads_column(statement: Statement, table: QName, column: str) -> bool:
    """True when the statement may read ``table.column``'s values: a data statement that names the table and
    refers to the column (or to ``*``). A DO block or a statement PostgreSQL's parser rejected counts when its
    text names both."""
    node = statement.node
    if _opaque(statement):
        return _text_names(statement, table, column)
    if not isinstance(node, _DATA_NODES) or table not in _tables(node, statement.default_schema):
        return False
    for sub in walk_nodes(node):
        if isinstance(sub, ast.ColumnRef):
            last = sub.fields[-1]
            if isinstance(last, ast.A_Star) or getattr(last, "sval", None) == column:
                return True
    return False


def fills_column(statement: Statement, table: QName, column: str) -> bool:
    """True when the statement writes values into ``table.column`` (``UPDATE ... SET column =``, ``INSERT INTO
    table (..., column)``): whatever the values, they are the author's choice, not an empty new column."""
    node = statement.node
    if _opaque(statement):
        return _text_names(statement, table, column)
    if isinstance(node, ast.UpdateStmt) and qualified(node.relation, statement.default_schema) == table:
        return any(target.name == column for target in node.targetList or ())
    if isinstance(node, ast.InsertStmt) and qualified(node.relation, statement.default_schema) == table:
        return node.cols is None or any(target.name == column for target in node.cols)
    return False


def reads_table(statement: Statement, table: QName) -> bool:
    """True when a data statement reads rows of ``table`` (``INSERT INTO new SELECT ... FROM old``, a SELECT
    a Python loop copies from); DO blocks and unparsed statements count when their text names it."""
    node = statement.node
    if _opaque(statement):
        return _text_names(statement, table)
    if not isinstance(node, _DATA_NODES):
        return False
    written = _written_table(node, statement.default_schema)
    return any(name == table and name != written for name in _tables(node, statement.default_schema)) \
        or (written == table and _reads_own_rows(node))


def fills_table(statement: Statement, table: QName) -> bool:
    """True when the statement inserts rows into ``table`` (or a DO block / unparsed statement names it)."""
    node = statement.node
    if _opaque(statement):
        return _text_names(statement, table)
    return isinstance(node, ast.InsertStmt) and qualified(node.relation, statement.default_schema) == table


def _tables(node: Any, default_schema: str) -> set[QName]:
    return {qualified(sub, default_schema) for sub in walk_nodes(node) if isinstance(sub, ast.RangeVar)}


def _written_table(node: Any, default_schema: str) -> QName | None:
    if isinstance(node, (ast.InsertStmt, ast.UpdateStmt, ast.MergeStmt)):
        return qualified(node.relation, default_schema)
    return None


def _reads_own_rows(node: Any) -> bool:
    """An INSERT into a table that also selects from it (``INSERT INTO t SELECT ... FROM t``)."""
    return isinstance(node, ast.InsertStmt) and node.selectStmt is not None and any(
        isinstance(sub, ast.RangeVar) and sub.relname == node.relation.relname
        for sub in walk_nodes(node.selectStmt))


def _opaque(statement: Statement) -> bool:
    """SQL we cannot walk: a DO block's body is a string, and a statement the parser rejected has no tree."""
    return isinstance(statement.node, ast.DoStmt) or (statement.node is None and statement.parse_error is not None)


def _text_names(statement: Statement, table: QName, column: str | None = None) -> bool:
    """Do the names appear as words of the SQL text?"""
    words = set(_words(statement.sql))
    return table.name.lower() in words and (column is None or column.lower() in words)


def _words(sql: str) -> Iterable[str]:
    return (word.lower() for word in re.findall(r"[A-Za-z_][A-Za-z0-9_$]*", sql))
