"""drop-index-not-concurrent: ``DROP INDEX CONCURRENTLY`` in an autocommit block."""

from __future__ import annotations

from pglast import ast, enums

from migsafe.fixing import Fix, FixContext
from migsafe.fixing.autocommit import AutocommitForm, into_autocommit_block
from migsafe.fixing.source import RevisionSource
from migsafe.report import Finding
from migsafe.sql.analysis import parse

_FORM = AutocommitForm(rule="drop-index-not-concurrent", op_names=frozenset({"drop_index"}), keyword_after=("INDEX",))


def fix(source: RevisionSource, finding: Finding, context: FixContext) -> str | None:
    statements = parse(finding.sql)
    node = statements[0].node if len(statements) == 1 else None
    # PostgreSQL refuses DROP INDEX CONCURRENTLY of several indexes, or with CASCADE.
    if isinstance(node, ast.DropStmt) and (len(node.objects or ()) != 1
                                           or node.behavior == enums.DropBehavior.DROP_CASCADE):
        return "DROP INDEX CONCURRENTLY takes one index and no CASCADE: split the statement first"
    return into_autocommit_block(source, finding, context, _FORM)


FIX = Fix(rule="drop-index-not-concurrent", statement=fix)
