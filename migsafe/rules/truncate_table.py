"""truncate-table: ``TRUNCATE`` of a table that already holds the application's rows.

TRUNCATE deletes every row at once, under an ACCESS EXCLUSIVE lock held until the migration's transaction
commits, and nothing (not ``downgrade()``) brings the rows back. ``CASCADE`` is worse: it also empties every
table with a foreign key to the named one, entirely, whatever their rows reference, and the tables referencing
those in turn: rows the migration never names are lost. So plain TRUNCATE is a warning (like drop-table: usually
meant, but check) and CASCADE an error.
"""

from __future__ import annotations

from typing import Iterator

from migsafe.model import Statement
from migsafe.rules.base import Hit, RevisionView, Rule
from migsafe.rules.drop_table import created_in_this_deploy
from migsafe.sql import actions as A

RULE = Rule(
    id="truncate-table",
    severity="warning",
    summary="TRUNCATE deletes every row of an existing table under ACCESS EXCLUSIVE (CASCADE: of other tables too)",
    fix="Delete only the rows you mean to, in batches outside the migration (`DELETE ... WHERE id IN (SELECT ... "
        "LIMIT 1000)`), or upsert reference data with `INSERT ... ON CONFLICT DO UPDATE`; if a table really must "
        "be emptied, back it up and name every table instead of using CASCADE.",
)


def _existing_fk_referencing(view: RevisionView, statement: Statement, table: A.QName) -> A.QName | None:
    """An existing table that this revision, before ``statement``, gave a foreign key to ``table``.

    A table created in this deploy can only be referenced by tables that got the foreign key in this deploy;
    ``TRUNCATE ... CASCADE`` on it empties those tables whole, existing rows included.
    """
    for other in view.statements:
        if other is statement:
            return None
        for action in other.actions:
            if (isinstance(action, A.AddConstraint) and action.constraint.kind == "foreign_key"
                    and action.constraint.references == table and action.table != table
                    and not created_in_this_deploy(view, other, action.table)):
                return action.table
    return None


def _message(tables: list[A.QName], cascade: bool, reached: A.QName | None) -> str:
    names = ", ".join(str(t) for t in tables)
    plural = "s" if len(tables) > 1 else ""
    text = (f"truncates table{plural} {names}: every row is deleted, for good, under an ACCESS EXCLUSIVE lock "
            "that blocks reads and writes until the transaction commits")
    if cascade:
        target = f"including {reached}, " if reached is not None else ""
        text += (f"; CASCADE also empties every table with a foreign key to {'them' if plural else 'it'} "
                 f"({target}and the tables referencing those), whatever their rows reference")
    return text


@RULE.check
def check(view: RevisionView) -> Iterator[Hit]:
    for statement in view.statements:
        actions = [a for a in statement.actions if isinstance(a, A.Truncate)]
        if not actions:
            continue
        cascade = any(a.cascade for a in actions)
        existing = [a.table for a in actions if not created_in_this_deploy(view, statement, a.table)]
        reached = None
        if not existing:
            # Only tables of this deploy named: CASCADE still matters if an existing table references one.
            if cascade:
                reached = next(filter(None, (_existing_fk_referencing(view, statement, a.table) for a in actions)),
                               None)
            if reached is None:
                continue
        named = existing or [a.table for a in actions]
        yield view.hit(statement, _message(named, cascade, reached), key=("truncate", *named),
                       severity="error" if cascade else None)
