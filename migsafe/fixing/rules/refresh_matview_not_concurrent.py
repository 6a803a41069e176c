"""refresh-matview-not-concurrent: ``REFRESH MATERIALIZED VIEW CONCURRENTLY``, in place (it runs in a
transaction), when the schema model knows a unique index on plain columns of the view with no WHERE: without
one PostgreSQL refuses CONCURRENTLY, so the finding is left with a note naming the index it needs."""

from __future__ import annotations

from pglast import ast

from migsafe.fixing import Fix, FixContext
from migsafe.fixing.rewrite import Edit, rewrite, single_node
from migsafe.fixing.source import RevisionSource
from migsafe.fixing.sql_literal import relation
from migsafe.report import Finding

RULE = "refresh-matview-not-concurrent"


def fix(source: RevisionSource, finding: Finding, context: FixContext) -> str | None:
    node = single_node(finding.sql)
    if not isinstance(node, ast.RefreshMatViewStmt) or node.skipData:
        return "a REFRESH ... WITH NO DATA cannot be concurrent"
    if not any(name == "unique-index" for name, _ in finding.facts):
        view = relation(node.relation)
        return (f"CONCURRENTLY needs a unique index on plain columns of {view} with no WHERE, and none is known: "
                f"create one first (CREATE UNIQUE INDEX CONCURRENTLY ... ON {view} (columns that identify a row), "
                "in an autocommit block)")
    done = rewrite(source, finding, Edit(sql_after=("MATERIALIZED", "VIEW"), sql_text=" CONCURRENTLY"))
    if isinstance(done, str):
        return done
    source.replace_statement(done.located.node, [done.statement.with_changes(
        leading_lines=done.located.node.leading_lines)])
    return None


FIX = Fix(rule=RULE, statement=fix)
