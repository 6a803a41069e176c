"""The fix the CONCURRENTLY rules share: the concurrent form of the statement, inside ``autocommit_block()``.

``CREATE INDEX CONCURRENTLY``, ``DROP INDEX CONCURRENTLY``, ``REINDEX ... CONCURRENTLY`` and ``DETACH PARTITION
... CONCURRENTLY`` cannot run in a transaction block, so the statement leaves Alembic's transaction (so does
``ALTER TYPE ... ADD VALUE``, whose new label is unusable until a commit). An index build gets an unconditional
``DROP INDEX CONCURRENTLY IF EXISTS`` of its name first, in the same block: a concurrent build that fails (a
deadlock, a duplicate in a unique index, a cancelled deploy) leaves an INVALID index behind, and the retried
migration would trip on it (``IF NOT EXISTS`` would keep the INVALID one).
"""

from __future__ import annotations

from dataclasses import dataclass

import libcst as cst
from pglast import ast

from migsafe.fixing import FixContext
from migsafe.fixing.rewrite import Edit, Rewritten, rewrite, single_node
from migsafe.fixing.source import RevisionSource, autocommit_block, execute_statement
from migsafe.fixing.sql_literal import identifier
from migsafe.report import Finding


@dataclass(frozen=True)
class AutocommitForm:
    """How one rule's statement becomes one that runs outside the transaction."""

    rule: str
    op_names: frozenset[str] = frozenset()  # Alembic operations that take ``postgresql_concurrently=True``
    # Where ``CONCURRENTLY`` goes in the SQL (the scanner's token names it follows); None: it is there already.
    keyword_after: tuple[str, ...] | None = None
    min_pg: int = 0  # the first PostgreSQL major with this concurrent form


def into_autocommit_block(source: RevisionSource, finding: Finding, context: FixContext,
                          form: AutocommitForm) -> str | None:
    """Rewrite the statement of ``finding``; None when done, else why it was left alone."""
    if form.min_pg and not context.pg_version.at_least(form.min_pg):
        return f"PostgreSQL {context.pg_version} has no concurrent form of this statement"
    keyword = ("postgresql_concurrently", "True") if form.keyword_after else None
    done = rewrite(source, finding, Edit(op_names=form.op_names, op_keyword=keyword, sql_after=form.keyword_after,
                                         sql_text=" CONCURRENTLY"))
    if isinstance(done, str):
        return done
    place_in_block(source, done, [*drop_invalid_first(finding.sql, done.quote, form.rule), done.statement])
    return None


def place_in_block(source: RevisionSource, done: Rewritten, statements: list[cst.BaseStatement],
                   after: list[cst.BaseStatement] | None = None) -> None:
    """``statements`` in place of the rewritten one, inside an autocommit block (the one it is in, else a new
    one), then ``after`` (back in the transaction)."""
    located = done.located
    if located.in_autocommit:
        statements[0] = statements[0].with_changes(leading_lines=located.node.leading_lines)  # type: ignore[call-arg]
        source.replace_statement(located.node, [*statements, *(after or [])])
    else:
        source.replace_statement(located.node, [autocommit_block(statements, located.node.leading_lines),
                                                *(after or [])])


def drop_invalid_first(sql: str, quote: str, rule: str) -> list[cst.SimpleStatementLine]:
    """``DROP INDEX CONCURRENTLY IF EXISTS <name>`` before an index build; nothing for other statements (and
    for an unnamed index, whose retry makes a new name anyway)."""
    node = single_node(sql)
    if not isinstance(node, ast.IndexStmt) or not node.idxname:
        return []
    schema = node.relation.schemaname if node.relation is not None else None  # an index lives in its table's
    return [drop_index_if_exists(node.idxname, schema, quote, rule)]


def drop_index_if_exists(name: str, schema: str | None, quote: str, rule: str) -> cst.SimpleStatementLine:
    qualified = f"{identifier(schema)}.{identifier(name)}" if schema else identifier(name)
    return execute_statement(f"DROP INDEX CONCURRENTLY IF EXISTS {qualified}", quote,
                             comment=f"{rule}: a failed concurrent build leaves an INVALID index; a retry drops it "
                                     "first")
