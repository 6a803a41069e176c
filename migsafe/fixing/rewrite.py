"""Editing the one statement a finding points at: an Alembic operation gets a keyword argument, an
``execute()`` of a SQL string literal gets a keyword in its SQL. What the fixes then put around it is theirs."""

from __future__ import annotations

from dataclasses import dataclass

import libcst as cst

from migsafe.fixing.source import Located, RevisionSource, with_keyword
from migsafe.fixing.sql_literal import keyword_offset, sql_literal
from migsafe.report import Finding
from migsafe.sql.analysis import parse


@dataclass(frozen=True)
class Edit:
    """How the statement changes. Either form may be absent: then that form is kept as it is."""

    op_names: frozenset[str] = frozenset()  # the Alembic operations the fix knows (``op.<name>(...)``)
    op_keyword: tuple[str, str] | None = None  # (argument, Python value) for those operations
    sql_after: tuple[str, ...] | None = None  # where ``sql_text`` goes in SQL (scanner token names, keyword_offset)
    sql_text: str = ""


@dataclass(frozen=True)
class Rewritten:
    located: Located
    statement: cst.SimpleStatementLine  # the edited statement, without the comments above it
    quote: str  # the quote character the statement's SQL string uses ('"' for an operation)
    form: str  # "op" or "sql"


def rewrite(source: RevisionSource, finding: Finding, edit: Edit) -> Rewritten | str:
    """The statement of ``finding`` with ``edit`` applied (the tree is not changed yet), or why not."""
    located = source.statement_at(finding.line)
    if located is None or located.call is None:
        return "the statement is not a single call directly in upgrade()"
    call = located.call
    func = call.func
    name = func.attr.value if isinstance(func, cst.Attribute) else None
    receiver = func.value if isinstance(func, cst.Attribute) else None
    if name in edit.op_names and isinstance(receiver, cst.Name) and receiver.value == "op":
        new_call = with_keyword(call, *edit.op_keyword) if edit.op_keyword else call
        quote, form = '"', "op"
    elif name == "execute":
        literal = sql_literal(call)
        if literal is None:
            return "the SQL is not a plain string literal"
        statement = literal.statement()
        if statement is None:
            return "the string holds several statements: give each its own op.execute() call first"
        if statement.actions != statement_actions(finding.sql):
            return "the string's SQL is not the statement reported"
        quote, form = literal.parts[0].quote[0], "sql"
        new_call = call
        if edit.sql_after:
            offset = keyword_offset(literal.value, edit.sql_after)
            edited = literal.inserted(offset, edit.sql_text) if offset is not None else None
            if edited is None:
                return f"the string has escape sequences where{edit.sql_text} goes"
            new_call = call.deep_replace(literal.node, edited)  # type: ignore[assignment]
    else:
        return "not an op.* operation this fix knows, or an execute() of SQL"
    statement_line = located.node.deep_replace(call, new_call).with_changes(leading_lines=())  # type: ignore[union-attr]
    return Rewritten(located=located, statement=statement_line, quote=quote, form=form)


def statement_actions(sql: str) -> tuple[object, ...]:
    statements = parse(sql)
    return statements[0].actions if len(statements) == 1 else ()


def single_node(sql: str) -> object | None:
    """The pglast node of the finding's one statement (None for several)."""
    statements = parse(sql)
    return statements[0].node if len(statements) == 1 else None
