"""enum-recreate: replacing an enum type, or converting a column to one, rewrites every table that uses it.

PostgreSQL cannot remove or reorder enum labels, so migrations "recreate" the type: rename it away, create the
new one, convert each column with ``ALTER COLUMN ... TYPE new USING col::text::new``, drop the old one. Each
conversion goes through the types' I/O functions, which PostgreSQL cannot prove to be a no-op: a full rewrite
of the table and its indexes under ACCESS EXCLUSIVE. The finding is on each conversion, because that is where
the cost is; it replaces column-type-rewrite's finding for the same column, which says less.
"""

from __future__ import annotations

from typing import Iterator

from migsafe.model import Statement
from migsafe.rules.base import Hit, RevisionView, Rule
from migsafe.sql import actions as A
from migsafe.sql.type_changes import is_plain_using, same_type, using_expression

RULE = Rule(
    id="enum-recreate",
    severity="error",
    summary="Converting a column to a (recreated) enum type rewrites the whole table under ACCESS EXCLUSIVE",
    fix="Do not recreate the enum on a live table: only add labels (ALTER TYPE ... ADD VALUE in an "
        "autocommit block) and leave unused ones in place, or move to a text column guarded by a CHECK "
        "constraint (added NOT VALID, validated later) that can change without a rewrite.",
    supersedes=("column-type-rewrite",),
)


def converts_to_enum(view: RevisionView, statement: Statement, action: A.AlterColumnType) -> bool:
    """Whether the new type of the column is an enum type.

    Known from the schema model, from the Alembic operation (``type_=sa.Enum(...)``: Alembic's alter_column
    does not emit CREATE TYPE, so the model may not know it), or from a CREATE TYPE ... AS ENUM earlier in this
    revision.
    """
    if action.new_type is None:
        return False
    qname = action.new_type.qname
    if statement.enums_before.get(qname) is not None:
        return True
    if statement.operation.new_type_is_native_enum:
        return True
    return any(isinstance(a, A.CreateEnum) and a.type == qname for a in _actions_before(view, statement))


def _actions_before(view: RevisionView, statement: Statement) -> Iterator[A.Action]:
    for other in view.statements:
        if other is statement:
            return
        yield from other.actions



def _recreated_here(view: RevisionView, statement: Statement, qname: A.QName) -> bool:
    """The type was renamed away or dropped, then created again, earlier in this revision (the dance)."""
    gone = False
    for action in _actions_before(view, statement):
        if isinstance(action, (A.RenameType, A.DropType)) and action.type == qname:
            gone = True
        elif isinstance(action, A.CreateEnum) and action.type == qname and gone:
            return True
    return False


def _is_noop(view: RevisionView, statement: Statement, action: A.AlterColumnType, recreated: bool) -> bool:
    """``ALTER COLUMN c TYPE e`` on a column already of enum type ``e`` (the same type, not a new one named
    alike) with no USING expression: PostgreSQL keeps the table (checked)."""
    old = view.old_column_type(statement, action)
    if old is None or action.new_type is None or not same_type(old, action.new_type) or recreated:
        return False
    enum = statement.enums_before.get(action.new_type.qname)
    if enum is not None and enum.created_in == view.revision.revision:
        return False  # created in this revision: the column's old type was another type of that name
    if action.using:
        return is_plain_using(using_expression(statement.node, action.column), action.column, action.new_type)
    return True


@RULE.check
def check(view: RevisionView) -> Iterator[Hit]:
    for statement, action in view.actions(A.AlterColumnType):
        if action.new_type is None or statement.operation.batch_recreate:
            continue
        if view.holds_no_rows(statement, action.table) or not converts_to_enum(view, statement, action):
            continue
        qname = action.new_type.qname
        recreated = _recreated_here(view, statement, qname)
        if _is_noop(view, statement, action, recreated):
            continue
        yield view.hit(statement, _message(statement, action, recreated),
                       key=("column", action.table, action.column))


def _message(statement: Statement, action: A.AlterColumnType, recreated: bool) -> str:
    assert action.new_type is not None
    column = f"{action.table}.{action.column}"
    cost = ("PostgreSQL rewrites the whole table and rebuilds its indexes under an ACCESS EXCLUSIVE lock, "
            "blocking reads and writes until it finishes")
    if recreated:
        return f"recreates enum type {action.new_type} and converts column {column} to it: {cost}"
    old = RevisionView.old_column_type(statement, action)
    source = f" from {old}" if old is not None else ""
    return f"converts column {column}{source} to enum type {action.new_type}: {cost}"
