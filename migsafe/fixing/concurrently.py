"""The fix the CONCURRENTLY rules share: the concurrent form of the statement, inside ``autocommit_block()``.

``CREATE INDEX CONCURRENTLY``, ``DROP INDEX CONCURRENTLY``, ``REINDEX ... CONCURRENTLY`` and ``DETACH PARTITION
... CONCURRENTLY`` cannot run in a transaction block, so the statement leaves Alembic's transaction. An index
build gets an unconditional ``DROP INDEX CONCURRENTLY IF EXISTS`` of its name first, in the same block: a
concurrent build that fails (a deadlock, a duplicate in a unique index, a cancelled deploy) leaves an INVALID
index behind, and the retried migration would trip on it (``IF NOT EXISTS`` would keep the INVALID one).
"""

from __future__ import annotations

from dataclasses import dataclass

import libcst as cst
from pglast import ast
from pglast.keywords import COL_NAME_KEYWORDS, RESERVED_KEYWORDS, TYPE_FUNC_NAME_KEYWORDS

from migsafe.fixing import FixContext
from migsafe.fixing.source import RevisionSource, autocommit_block, execute_statement, with_keyword
from migsafe.fixing.sql_literal import keyword_offset, sql_literal
from migsafe.report import Finding
from migsafe.sql.analysis import parse


@dataclass(frozen=True)
class ConcurrentForm:
    """How one rule's statement becomes concurrent."""

    rule: str
    op_names: frozenset[str] = frozenset()  # Alembic operations that take ``postgresql_concurrently=True``
    # Where ``CONCURRENTLY`` goes in the SQL (the scanner's token names it follows); None: it is there already.
    keyword_after: tuple[str, ...] | None = None
    min_pg: int = 0  # the first PostgreSQL major with this concurrent form


def make_concurrent(source: RevisionSource, finding: Finding, context: FixContext, form: ConcurrentForm) -> str | None:
    """Rewrite the statement of ``finding``; None when done, else why it was left alone."""
    if form.min_pg and not context.pg_version.at_least(form.min_pg):
        return f"PostgreSQL {context.pg_version} has no concurrent form of this statement"
    located = source.statement_at(finding.line)
    if located is None or located.call is None:
        return "the statement is not a single call directly in upgrade()"
    call = located.call
    func = call.func
    name = func.attr.value if isinstance(func, cst.Attribute) else None
    receiver = func.value if isinstance(func, cst.Attribute) else None
    quote = '"'
    if name in form.op_names and isinstance(receiver, cst.Name) and receiver.value == "op":
        new_call = with_keyword(call, "postgresql_concurrently", "True") if form.keyword_after else call
    elif name == "execute":
        literal = sql_literal(call)
        if literal is None:
            return "the SQL is not a plain string literal"
        statement = literal.statement()
        if statement is None:
            return "the string holds several statements: give each its own op.execute() call first"
        if statement.actions != _actions(finding.sql):
            return "the string's SQL is not the statement reported"
        quote = literal.parts[0].quote[0]
        new_call = call
        if form.keyword_after:
            offset = keyword_offset(literal.value, form.keyword_after)
            edited = literal.inserted(offset, " CONCURRENTLY") if offset is not None else None
            if edited is None:
                return "the string has escape sequences where CONCURRENTLY goes"
            new_call = call.deep_replace(literal.node, edited)  # type: ignore[assignment]
    else:
        return "not an op.* operation or an execute() of SQL"
    new_statement = located.node.deep_replace(call, new_call).with_changes(leading_lines=())  # type: ignore[union-attr]
    statements: list[cst.BaseStatement] = [*_drop_invalid_first(finding.sql, quote, form.rule), new_statement]
    if located.in_autocommit:
        statements[0] = statements[0].with_changes(leading_lines=located.node.leading_lines)  # type: ignore[call-arg]
        source.replace_statement(located.node, statements)
    else:
        source.replace_statement(located.node, [autocommit_block(statements, located.node.leading_lines)])
    return None


def _actions(sql: str) -> tuple[object, ...]:
    statements = parse(sql)
    return statements[0].actions if len(statements) == 1 else ()


def _drop_invalid_first(sql: str, quote: str, rule: str) -> list[cst.SimpleStatementLine]:
    """``DROP INDEX CONCURRENTLY IF EXISTS <name>`` before an index build; nothing for other statements (and
    for an unnamed index, whose retry makes a new name anyway)."""
    statements = parse(sql)
    node = statements[0].node if len(statements) == 1 else None
    if not isinstance(node, ast.IndexStmt) or not node.idxname:
        return []
    schema = node.relation.schemaname if node.relation is not None else None  # an index lives in its table's
    name = f"{_identifier(schema)}.{_identifier(node.idxname)}" if schema else _identifier(node.idxname)
    return [execute_statement(f"DROP INDEX CONCURRENTLY IF EXISTS {name}", quote,
                              comment=f"{rule}: a failed concurrent build leaves an INVALID index; a retry "
                                      "drops it first")]


_KEYWORDS = RESERVED_KEYWORDS | COL_NAME_KEYWORDS | TYPE_FUNC_NAME_KEYWORDS


def _identifier(name: str) -> str:
    """``name`` as SQL writes it: bare when PostgreSQL would read it back unchanged, else double-quoted."""
    plain = name.isidentifier() and name == name.lower() and name.isascii() and name not in _KEYWORDS
    return name if plain else '"' + name.replace('"', '""') + '"'
