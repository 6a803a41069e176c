"""unique-constraint-builds-index: a UNIQUE or PRIMARY KEY constraint that builds its index under
ACCESS EXCLUSIVE on a table that already holds rows."""

from __future__ import annotations

from typing import Iterator

from migsafe.model import Statement
from migsafe.rules.base import Hit, RevisionView, Rule
from migsafe.sql import actions as A

RULE = Rule(
    id="unique-constraint-builds-index",
    severity="error",
    summary="Adding a UNIQUE or PRIMARY KEY constraint builds its index under an ACCESS EXCLUSIVE lock",
    fix="Build the index first with `op.create_index(..., unique=True, postgresql_concurrently=True)` inside "
        "`with op.get_context().autocommit_block():`, then attach it: "
        "`op.execute(\"ALTER TABLE t ADD CONSTRAINT name UNIQUE USING INDEX name\")`.",
)

_PK_FIX = ("Make the columns NOT NULL first (CHECK (col IS NOT NULL) NOT VALID, VALIDATE, SET NOT NULL), build "
           "the index with `op.create_index(..., unique=True, postgresql_concurrently=True)` inside "
           "`with op.get_context().autocommit_block():`, then "
           "`op.execute(\"ALTER TABLE t ADD CONSTRAINT name PRIMARY KEY USING INDEX name\")`.")


_PK_NOT_NULL_FIX = ("Build the index with `op.create_index(..., unique=True, postgresql_concurrently=True)` inside "
                    "`with op.get_context().autocommit_block():`, then "
                    "`op.execute(\"ALTER TABLE t ADD CONSTRAINT name PRIMARY KEY USING INDEX name\")` (the columns "
                    "are NOT NULL already: attaching the index scans nothing).")


def _describe(action: A.AddConstraint) -> str:
    constraint = action.constraint
    kind = "PRIMARY KEY" if constraint.kind == "primary_key" else "UNIQUE constraint"
    named = f"{kind} {constraint.name}" if constraint.name else f"a {kind}"
    columns = f"({', '.join(constraint.columns)})" if constraint.columns else ""
    return f"{named} on {action.table}{columns}"


@RULE.check
def check(view: RevisionView) -> Iterator[Hit]:
    # Inline column constraints (ADD COLUMN ... UNIQUE, and Alembic's add_column(unique=True), which emits a
    # separate ADD UNIQUE) reach us as AddConstraint actions too.
    for statement, action in view.actions(A.AddConstraint):
        constraint = action.constraint
        if constraint.kind not in ("unique", "primary_key"):
            continue
        if constraint.using_index:
            continue  # the index already exists: attaching it is a catalog change
        if view.holds_no_rows(statement, action.table):
            continue
        if statement.operation.batch_recreate:
            continue
        primary = constraint.kind == "primary_key"
        # A primary key makes its columns NOT NULL: PostgreSQL scans for NULLs first, unless every column is
        # NOT NULL already (checked on 15: one scan then, the index build's; two on nullable columns).
        nullability = _nullability(view, statement, action) if primary else "not null"
        nullable = nullability != "not null"
        work = {"nullable": "builds a unique index and scans the columns for NULLs",
                "unknown": "builds a unique index (and first scans the columns for NULLs if any of them may hold "
                           "NULL: the schema model does not know whether they are NOT NULL)",
                "not null": "builds a unique index"}[nullability]
        yield view.hit(
            statement,
            f"adds {_describe(action)}: {work} while holding an ACCESS EXCLUSIVE lock on the table, so every "
            "query on it, reads included, waits until the build finishes",
            key=("constraint", action.table, constraint.name or constraint.columns),
            fix=(_PK_FIX if nullable else _PK_NOT_NULL_FIX) if primary else None,
            # `review --fix` attaches a primary key's index only when doing so scans nothing.
            facts=(("columns-not-null", "yes"),) if nullability == "not null" else (),
        )


def _nullability(view: RevisionView, statement: Statement, action: A.AddConstraint) -> str:
    """"not null" when the schema model knows every column of the key as NOT NULL when the statement runs
    (declared so, set so earlier, or part of a primary key since dropped: PostgreSQL keeps a dropped primary
    key's columns NOT NULL; checked on 15); "nullable" when it knows one that is not; "unknown" when it does
    not know a column (application code that is not importable here may have added it)."""
    table = view.table_before(statement, action.table)
    if table is None or not action.constraint.columns:
        return "unknown"
    columns = [table.column(name) for name in action.constraint.columns]
    if any(column is not None and column.nullable for column in columns):
        return "nullable"
    return "unknown" if any(column is None for column in columns) else "not null"
