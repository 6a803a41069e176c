"""The SQL string literal of an ``op.execute()`` (or ``conn.execute(text(...))``) call, and keyword edits to it.

Keywords are placed with PostgreSQL's own scanner (pglast's), which knows where a token starts and ends in
any spelling and spacing, so ``create   unique index`` and a statement split over several string parts get
the keyword in the right place; the edit goes into the literal's source text, keeping its quotes and layout.
"""

from __future__ import annotations

from dataclasses import dataclass

import libcst as cst
from pglast.keywords import COL_NAME_KEYWORDS, RESERVED_KEYWORDS, TYPE_FUNC_NAME_KEYWORDS
from pglast.parser import scan

from migsafe.sql.analysis import ParsedStatement, parse


@dataclass(frozen=True)
class SqlLiteral:
    node: cst.BaseExpression  # the string expression: one literal, or adjacent literals ("a " "b")
    parts: tuple[cst.SimpleString, ...]
    value: str

    def statement(self) -> ParsedStatement | None:
        """The one statement the string holds; None for several (one implicit transaction: not mechanical)."""
        statements = parse(self.value)
        return statements[0] if len(statements) == 1 and statements[0].error is None else None

    def inserted(self, offset: int, text: str) -> cst.BaseExpression | None:
        """The literal with ``text`` inserted at ``offset`` of its value; None when the part holding that offset
        has escapes (its source and its value would not line up)."""
        start = 0
        for number, part in enumerate(self.parts):
            value = part.evaluated_value
            assert isinstance(value, str)
            end = start + len(value)
            if start <= offset < end or (offset == end and number == len(self.parts) - 1):
                if part.raw_value != value:
                    return None
                local = offset - start
                body = part.raw_value
                new = part.with_changes(value=f"{part.prefix}{part.quote}{body[:local]}{text}{body[local:]}"
                                              f"{part.quote}")
                return self.node.deep_replace(part, new)  # type: ignore[return-value]
            start = end
        return None


def sql_literal(call: cst.Call) -> SqlLiteral | None:
    """The SQL of ``op.execute("...")``, ``op.execute(sa.text("..."))`` or ``bind.execute(text("..."))``;
    None for anything computed (an f-string, a variable, ``%`` formatting)."""
    if not call.args or call.args[0].keyword is not None:
        return None
    expression = call.args[0].value
    if isinstance(expression, cst.Call):
        func = expression.func
        name = func.attr.value if isinstance(func, cst.Attribute) else getattr(func, "value", None)
        if name != "text" or not expression.args:
            return None
        expression = expression.args[0].value
    parts = _parts(expression)
    if parts is None:
        return None
    values = [part.evaluated_value for part in parts]
    if not all(isinstance(value, str) for value in values):
        return None
    return SqlLiteral(node=expression, parts=tuple(parts), value="".join(values))  # type: ignore[arg-type]


def _parts(expression: cst.BaseExpression) -> list[cst.SimpleString] | None:
    if isinstance(expression, cst.SimpleString):
        return [expression] if "b" not in expression.prefix.lower() else None
    if isinstance(expression, cst.ConcatenatedString):
        left, right = _parts(expression.left), _parts(expression.right)
        return left + right if left is not None and right is not None else None
    return None


def keyword_offset(sql: str, after: tuple[str, ...]) -> int | None:
    """The character offset just after the first run of tokens named ``after`` (as PostgreSQL's scanner names
    them: ``("INDEX",)``; an option list such as ``REINDEX (VERBOSE) INDEX`` is passed over, its words being
    other tokens); ``("$END",)``: after the statement's last token."""
    encoded = sql.encode("utf-8")
    tokens = [token for token in scan(sql) if token.name != "ASCII_59"]  # ';'
    if not tokens:
        return None
    if after == ("$END",):
        return len(encoded[:tokens[-1].end + 1].decode("utf-8"))
    names = [token.name for token in tokens]
    for start in range(len(names) - len(after) + 1):
        if tuple(names[start:start + len(after)]) == after:
            last = tokens[start + len(after) - 1]
            return len(encoded[:last.end + 1].decode("utf-8"))
    return None


_KEYWORDS = RESERVED_KEYWORDS | COL_NAME_KEYWORDS | TYPE_FUNC_NAME_KEYWORDS


def identifier(name: str) -> str:
    """``name`` as SQL writes it: bare when PostgreSQL would read it back unchanged, else double-quoted."""
    plain = name.isidentifier() and name == name.lower() and name.isascii() and name not in _KEYWORDS
    return name if plain else '"' + name.replace('"', '""') + '"'


def relation(range_var: object) -> str:
    """A pglast RangeVar as SQL (``schema.table`` when the statement named the schema)."""
    schema, name = getattr(range_var, "schemaname", None), getattr(range_var, "relname", "")
    return f"{identifier(schema)}.{identifier(name)}" if schema else identifier(name)
