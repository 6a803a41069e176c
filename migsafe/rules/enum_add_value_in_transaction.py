"""enum-add-value-in-transaction: ``ALTER TYPE ... ADD VALUE`` where the migration's transaction makes it fail.

Alembic runs each migration (or the revisions of one deploy: :mod:`migsafe.deploy`) in one transaction. Before PostgreSQL 12, ADD VALUE refuses
to run in a transaction block at all, unless the type was created in that same transaction. From 12 on it
runs, but the new label cannot be used until the transaction commits ("unsafe use of new value"); 17 lifts
that too for a type created in the same transaction. Either way the deploy fails half-way.
"""

from __future__ import annotations

from typing import Iterator

from migsafe.model import Statement
from migsafe.rules.base import Hit, RevisionView, Rule
from migsafe.schema import EnumType
from migsafe.sql import actions as A

RULE = Rule(
    id="enum-add-value-in-transaction",
    severity="error",
    summary="ALTER TYPE ... ADD VALUE inside the migration's transaction fails (before 12) or makes the new "
            "value unusable until commit (12+)",
    fix="Run the ADD VALUE inside `with op.get_context().autocommit_block():` (it commits what came before), "
        "and use the new value only after the block or in a later migration.",
)


@RULE.check
def check(view: RevisionView) -> Iterator[Hit]:
    for statement, action in view.actions(A.AddEnumValue):
        if not statement.in_transaction:
            continue  # autocommit block, or a transaction the migration committed itself
        enum = statement.enums_before.get(action.type)
        created_here = _created_in_same_transaction(view, enum, statement)
        if not view.pg_version.at_least(12):
            if created_here:
                continue
            yield view.hit(statement,
                           f"adds value {action.label!r} to enum type {action.type} inside the migration's "
                           f"transaction: PostgreSQL {view.pg_version} refuses with 'ALTER TYPE ... ADD cannot "
                           "run inside a transaction block' and the migration fails",
                           key=("enum", action.type, action.label))
            continue
        if action.if_not_exists and enum is not None and action.label in enum.labels:
            continue  # the label already exists: a no-op, nothing new to use
        if created_here and view.pg_version.at_least(17):
            continue  # 17+: values of a type created in the same transaction are usable at once
        use = _later_use(view, statement, action.label)
        if use is None:
            continue
        yield view.hit(statement,
                       f"adds value {action.label!r} to enum type {action.type}, and {_where(view, use)} uses it "
                       "before the transaction commits: PostgreSQL fails there with 'unsafe use of new value "
                       f"\"{action.label}\" of enum type {action.type.name}' and the migration is rolled back",
                       key=("enum", action.type, action.label))


def _created_in_same_transaction(view: RevisionView, enum: EnumType | None, statement: Statement) -> bool:
    """Created earlier in this transaction: by a revision of the same deploy (the recording numbers one
    transaction across the whole history when the upgrade is one transaction; a deploy runs only its own)."""
    return (enum is not None and enum.created_in_transaction is not None
            and enum.created_in_transaction == statement.transaction and view.in_deploy(enum.created_in))


def _later_use(view: RevisionView, statement: Statement, label: str) -> Statement | None:
    """The first later statement of the same transaction that spells the label as a string constant
    (INSERT/UPDATE values, WHERE, SET DEFAULT, a CHECK...). Any such constant counts: an offline review cannot
    tell which type a quoted word will be cast to."""
    for other in view.later_in_transaction(statement):
        if label in other.literals:
            return other
    return None


def _where(view: RevisionView, use: Statement) -> str:
    if any(other is use for other in view.statements):
        return f"line {use.line}"
    sql = " ".join(use.sql.split())
    sql = sql if len(sql) <= 60 else sql[:59] + "…"
    return f"{view.where(use)}, deployed with it ({sql})"
