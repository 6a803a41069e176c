"""concurrent-index-pg14-bug: building an index concurrently on PostgreSQL 14.0 to 14.3.

A PostgreSQL 14 change let VACUUM ignore the snapshots of CREATE INDEX CONCURRENTLY and REINDEX CONCURRENTLY;
the index could then miss rows that were HOT-updated and pruned during the build. The index is silently
corrupt: queries that use it return wrong results. Fixed in 14.4 (June 2022). Only a target version with a
minor number can fire this rule: ``--pg-version 14`` means the latest 14.x, which has the fix.
"""

from __future__ import annotations

from typing import Iterator

from migsafe.model import Statement
from migsafe.rules.base import Hit, RevisionView, Rule
from migsafe.rules.table_rewrite_command import relation_created_here
from migsafe.sql import actions as A

RULE = Rule(
    id="concurrent-index-pg14-bug",
    severity="error",
    summary="CREATE INDEX / REINDEX CONCURRENTLY on PostgreSQL 14.0-14.3 can silently corrupt the index",
    fix="Upgrade the server to 14.4 or later before this migration runs (then set pg-version to match). Check "
        "indexes already built concurrently on 14.0-14.3 with amcheck (`pg_amcheck --heapallindexed`) and rebuild "
        "them (REINDEX CONCURRENTLY, once on 14.4+).",
)


def _affected(view: RevisionView) -> bool:
    version = view.pg_version
    return version.major == 14 and not version.at_least(14, 4)


def _targets(view: RevisionView, statement: Statement) -> Iterator[tuple[str, tuple[object, ...]]]:
    """(what the statement builds, hit key) for each concurrent build on a table that may see updates."""
    for action in statement.actions:
        if isinstance(action, A.CreateIndex) and action.concurrently:
            # A table created in this deploy has no writers yet: nothing to update (and miss) during the build.
            if view.is_new_table(statement, action.table):
                continue
            name = f"index {action.name}" if action.name is not None else "an unnamed index"
            key = ("index", action.table, action.name)
            yield f"CREATE INDEX CONCURRENTLY builds {name} on table {action.table}", key
        elif isinstance(action, A.Reindex) and action.concurrently:
            if action.relation is not None and relation_created_here(view, statement, action.relation):
                continue
            target = action.relation or action.name or ""
            key = ("reindex", action.kind, target)
            yield f"REINDEX {action.kind.upper()} CONCURRENTLY rebuilds {target}".rstrip(), key


@RULE.check
def check(view: RevisionView) -> Iterator[Hit]:
    if not _affected(view):
        return
    for statement in view.statements:
        for what, key in _targets(view, statement):
            yield view.hit(
                statement,
                f"{what} on PostgreSQL {view.pg_version}: a bug in 14.0 to 14.3 (fixed in 14.4) can leave the "
                "index missing rows updated during the build, a silent corruption that makes queries using it "
                "return wrong results",
                key=key,
            )
