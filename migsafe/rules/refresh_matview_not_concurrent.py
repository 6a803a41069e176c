"""refresh-matview-not-concurrent: ``REFRESH MATERIALIZED VIEW`` without ``CONCURRENTLY`` on a view in use.

A plain refresh recomputes the view into new files under an ACCESS EXCLUSIVE lock on the view, held until the
migration's transaction commits: every query that reads the view waits for the whole recompute, which is as
long as the view's query takes. ``WITH NO DATA`` is quick but worse: the view is left unpopulated and every read
fails until someone refreshes it again.

"In use" means created before this revision. A view this revision creates (``CREATE MATERIALIZED VIEW``) has
no readers yet, and ``CONCURRENTLY`` would not even work on it if it was created ``WITH NO DATA``.
"""

from __future__ import annotations

from typing import Iterator

from migsafe.model import Statement
from migsafe.rules.base import Hit, RevisionView, Rule
from migsafe.sql import actions as A

RULE = Rule(
    id="refresh-matview-not-concurrent",
    severity="error",
    summary="REFRESH MATERIALIZED VIEW without CONCURRENTLY blocks every read of the view while it recomputes",
    fix="Use `REFRESH MATERIALIZED VIEW CONCURRENTLY` (it needs a unique index without WHERE on plain columns "
        "of the view: create it first with `postgresql_concurrently=True` in an autocommit block), or refresh "
        "the view from a job outside the deploy.",
)


@RULE.check
def check(view: RevisionView) -> Iterator[Hit]:
    created: set[A.QName] = set()
    for statement in view.statements:
        for action in statement.actions:
            if isinstance(action, A.CreateMatView):
                created.add(action.view)
                continue
            if not isinstance(action, A.RefreshMatView) or action.concurrently or action.view in created:
                continue
            if not action.with_data:
                message = (f"refreshes materialized view {action.view} WITH NO DATA: it is emptied under an "
                           "ACCESS EXCLUSIVE lock, and afterwards every query on it fails with 'materialized view "
                           f"\"{action.view.name}\" has not been populated' until it is refreshed again")
            else:
                message = (f"refreshes materialized view {action.view} without CONCURRENTLY: it takes an ACCESS "
                           "EXCLUSIVE lock on the view until the transaction commits, so every query reading the "
                           "view waits for the whole recompute")
            yield view.hit(statement, message, key=("matview", action.view),
                           facts=tuple(("unique-index", str(name)) for name in _usable_indexes(statement, action)))


def _usable_indexes(statement: Statement, action: A.RefreshMatView) -> list[A.QName]:
    """The view's unique indexes that REFRESH ... CONCURRENTLY accepts: on plain columns, with no WHERE
    (for `review --fix`, which adds CONCURRENTLY only when there is one)."""
    return [index.name for index in statement.indexes_before.values()
            if index is not None and index.table == action.view and index.unique and not index.partial
            and "*" not in index.columns]
