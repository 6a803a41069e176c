"""reindex-not-concurrent: ``REINDEX INDEX|TABLE CONCURRENTLY`` (PostgreSQL 12+) in an autocommit block."""

from __future__ import annotations

from migsafe.fixing import Fix, FixContext
from migsafe.fixing.autocommit import AutocommitForm, into_autocommit_block
from migsafe.fixing.source import RevisionSource
from migsafe.report import Finding
from migsafe.sql import actions as A
from migsafe.sql.analysis import parse

_KEYWORD = {"index": ("INDEX",), "table": ("TABLE",)}


def fix(source: RevisionSource, finding: Finding, context: FixContext) -> str | None:
    # REINDEX SCHEMA/DATABASE/SYSTEM rebuild many tables: a maintenance job, not a mechanical rewrite.
    kinds = [action.kind for statement in parse(finding.sql) for action in statement.actions
             if isinstance(action, A.Reindex)]
    if len(kinds) != 1 or kinds[0] not in _KEYWORD:
        return "only REINDEX INDEX and REINDEX TABLE have a mechanical concurrent form"
    return into_autocommit_block(source, finding, context, AutocommitForm(
        rule="reindex-not-concurrent", keyword_after=_KEYWORD[kinds[0]], min_pg=12))


FIX = Fix(rule="reindex-not-concurrent", statement=fix)
