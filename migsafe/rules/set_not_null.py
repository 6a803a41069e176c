"""set-not-null: ``ALTER COLUMN ... SET NOT NULL`` on a table that holds rows.

PostgreSQL proves the column holds no NULL by reading every row, while it holds ACCESS EXCLUSIVE. On 12+ it
skips that scan when a validated ``CHECK (col IS NOT NULL)`` already proves it (checked on PostgreSQL 15: also
when that CHECK was validated earlier in the same transaction), and it does nothing at all when the column is
already NOT NULL. The schema model tracks both, so those cases are not findings.
"""

from __future__ import annotations

from itertools import groupby
from typing import Iterator

from migsafe.model import Statement
from migsafe.rules.base import Hit, RevisionView, Rule
from migsafe.schema import Table
from migsafe.sql import actions as A

RULE = Rule(
    id="set-not-null",
    severity="error",
    summary="SET NOT NULL scans the whole table under an ACCESS EXCLUSIVE lock",
    fix="Add `op.create_check_constraint(\"ck\", \"t\", \"col IS NOT NULL\", postgresql_not_valid=True)`, run "
        "`op.execute(\"ALTER TABLE t VALIDATE CONSTRAINT ck\")` in a later transaction, then "
        "`op.alter_column(\"t\", \"col\", nullable=False)` (no scan on PostgreSQL 12+) and drop the CHECK.",
)

_BEFORE_12_FIX = (
    "Before PostgreSQL 12 a validated CHECK does not spare the scan: run SET NOT NULL at a quiet time with a "
    "short `SET lock_timeout`, or keep the validated `CHECK (col IS NOT NULL)` in place of NOT NULL until you "
    "upgrade."
)


def _unvalidated_check(table: Table | None, column: str) -> str | None:
    """The name of a ``CHECK (col IS NOT NULL)`` that exists but was added NOT VALID and never validated."""
    if table is None:
        return None
    for constraint in table.constraints:
        if constraint.kind == "check" and constraint.not_null_column == column and not constraint.validated:
            return constraint.name or "(unnamed)"
    return None


def _needs_scan(view: RevisionView, statement: Statement, action: A.SetNotNull) -> bool:
    table = view.table_before(statement, action.table)
    if table is None:
        return True
    column = table.column(action.column)
    if column is not None and not column.nullable:
        return False  # already NOT NULL: PostgreSQL changes nothing and scans nothing
    return not (table.has_validated_not_null_check(action.column) and view.pg_version.at_least(12))


def _advice(view: RevisionView, statement: Statement, action: A.SetNotNull) -> tuple[str, str | None]:
    """A clause for the message and a fix that fit what the model knows about existing CHECKs."""
    table = view.table_before(statement, action.table)
    if table is not None and table.has_validated_not_null_check(action.column):
        return (f"; PostgreSQL {view.pg_version} ignores the validated CHECK ({action.column} IS NOT NULL), "
                "which only spares the scan from PostgreSQL 12 on", _BEFORE_12_FIX)
    pending = _unvalidated_check(table, action.column)
    if pending is not None:
        return (f"; the CHECK {pending} ({action.column} IS NOT NULL) was added NOT VALID and is not validated "
                "yet, so it does not help",
                f"Run `op.execute(\"ALTER TABLE {action.table} VALIDATE CONSTRAINT {pending}\")` in an earlier "
                "transaction (a previous revision, or an `op.get_context().autocommit_block()`), then SET NOT "
                "NULL skips the scan on PostgreSQL 12+.")
    return "", None


@RULE.check
def check(view: RevisionView) -> Iterator[Hit]:
    pairs = ((s, a) for s, a in view.actions(A.SetNotNull)
             if not view.holds_no_rows(s, a.table) and _needs_scan(view, s, a))
    # One ALTER TABLE may set several columns NOT NULL: PostgreSQL scans once, we report once.
    for statement, group in groupby(pairs, key=lambda pair: pair[0]):
        actions = [action for _, action in group]
        first = actions[0]
        columns = ", ".join(repr(a.column) for a in actions)
        noun = "column" if len(actions) == 1 else "columns"
        clause, fix = _advice(view, statement, first)
        yield view.hit(
            statement,
            f"makes {noun} {columns} of table {first.table} NOT NULL: PostgreSQL holds an ACCESS EXCLUSIVE lock, "
            f"blocking reads and writes, while it scans every row for NULLs{clause}",
            key=("column", first.table, first.column),
            fix=fix,
        )
