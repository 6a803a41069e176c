"""A revision script as a concrete syntax tree that fixes edit in place.

libcst keeps every comment, blank line and odd indentation of the parts it does not touch, and prints the tree
back byte for byte; Python's own ``ast`` forgets comments and formatting, and regular expressions cannot tell a
call from a string that looks like one. Edits are made one statement at a time on the current tree, so each
fix finds its statement by the line it is on now.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import libcst as cst
from libcst.metadata import MetadataWrapper, ParentNodeProvider, PositionProvider

AUTOCOMMIT = "op.get_context().autocommit_block()"


@dataclass(frozen=True)
class Located:
    """The statement a finding points at, inside ``upgrade()``."""

    node: cst.SimpleStatementLine
    call: cst.Call | None  # the statement's one call (``op.create_index(...)``, ``conn.execute(...)``), if so
    in_autocommit: bool  # already inside ``with ...autocommit_block():``


class RevisionSource:
    """The file's tree and the edits fixes make to it."""

    def __init__(self, text: str) -> None:
        self.module = cst.parse_module(text)

    @property
    def code(self) -> str:
        return self.module.code

    def upgrade(self) -> cst.FunctionDef | None:
        for statement in self.module.body:
            if isinstance(statement, cst.FunctionDef) and statement.name.value == "upgrade":
                return statement
        return None

    def statement_at(self, line: int) -> Located | None:
        """The one-statement line starting at ``line`` inside the module-level ``upgrade()``, at any depth."""
        wrapper = MetadataWrapper(self.module, unsafe_skip_copy=True)
        positions = wrapper.resolve(PositionProvider)
        parents = wrapper.resolve(ParentNodeProvider)
        upgrade = self.upgrade()
        if upgrade is None:
            return None
        for node, span in positions.items():
            if not isinstance(node, cst.SimpleStatementLine) or span.start.line != line:
                continue
            chain = _ancestors(node, parents)
            if upgrade not in chain or len(node.body) != 1:
                return None
            small = node.body[0]
            call = small.value if isinstance(small, cst.Expr) and isinstance(small.value, cst.Call) else None
            in_block = any(isinstance(parent, cst.With) and is_autocommit_block(parent) for parent in chain)
            return Located(node=node, call=call, in_autocommit=in_block)
        return None

    def replace(self, old: cst.CSTNode, new: cst.CSTNode) -> None:
        self.module = self.module.deep_replace(old, new)

    def replace_statement(self, old: cst.SimpleStatementLine, new: Sequence[cst.BaseStatement]) -> None:
        """``old`` becomes ``new`` (several statements), wherever it sits."""
        self.module = self.module.visit(_StatementReplacer(old, new))  # type: ignore[assignment]

    def following(self, node: cst.SimpleStatementLine) -> list[cst.BaseStatement] | None:
        """The statements after ``node`` in its block (None: not found)."""
        finder = _Siblings(node)
        self.module.visit(finder)
        return finder.after

    def replace_from(self, node: cst.SimpleStatementLine, new: Sequence[cst.BaseStatement]) -> None:
        """``node`` and every statement after it in its block become ``new``."""
        self.module = self.module.visit(_TailReplacer(node, new))  # type: ignore[assignment]

    def merge_autocommit_blocks(self) -> None:
        """Adjacent autocommit blocks become one: fixes wrap statements one at a time, and a reader should see
        one block for a run of statements that leave the transaction together."""
        self.module = self.module.visit(_BlockMerger())  # type: ignore[assignment]


def _ancestors(node: cst.CSTNode, parents: "dict[cst.CSTNode, cst.CSTNode]") -> list[cst.CSTNode]:
    chain: list[cst.CSTNode] = []
    while node in parents:
        node = parents[node]
        chain.append(node)
    return chain


def is_autocommit_block(node: cst.CSTNode) -> bool:
    """``with op.get_context().autocommit_block():`` (or ``context.get_context()``-style spellings of it)."""
    if not isinstance(node, cst.With) or len(node.items) != 1:
        return False
    call = node.items[0].item
    return (isinstance(call, cst.Call) and isinstance(call.func, cst.Attribute)
            and call.func.attr.value == "autocommit_block")


def autocommit_block(statements: Sequence[cst.BaseStatement],
                     leading_lines: Sequence[cst.EmptyLine]) -> cst.With:
    """``with op.get_context().autocommit_block():`` around ``statements``; ``leading_lines`` (the comments and
    blank lines above the statement being wrapped) go above the ``with``, where they still describe what
    follows."""
    return cst.With(items=[cst.WithItem(item=cst.parse_expression(AUTOCOMMIT))],
                    body=cst.IndentedBlock(body=list(statements)), leading_lines=leading_lines)


def execute_statement(sql: str, quote: str = '"', comment: str | None = None) -> cst.SimpleStatementLine:
    """``op.execute("<sql>")``, with ``# comment`` on the line above when given."""
    literal = f"{quote}{sql}{quote}" if quote not in sql else repr(sql)
    statement = cst.parse_statement(f"op.execute({literal})\n")
    assert isinstance(statement, cst.SimpleStatementLine)
    if comment:
        statement = statement.with_changes(leading_lines=[cst.EmptyLine(comment=cst.Comment(f"# {comment}"))])
    return statement


def with_keyword(call: cst.Call, name: str, value: str) -> cst.Call:
    """``call`` with ``name=value``: an existing argument of that name gets the value; a new one goes last,
    following the call's own layout (a trailing comma on its own line stays one)."""
    args = list(call.args)
    for number, arg in enumerate(args):
        if arg.keyword is not None and arg.keyword.value == name:
            args[number] = arg.with_changes(value=cst.parse_expression(value))
            return call.with_changes(args=args)
    new = cst.Arg(keyword=cst.Name(name), value=cst.parse_expression(value),
                  equal=cst.AssignEqual(whitespace_before=cst.SimpleWhitespace(""),
                                        whitespace_after=cst.SimpleWhitespace("")))
    if not args:
        return call.with_changes(args=[new])
    last = args[-1]
    if isinstance(last.comma, cst.Comma):  # a trailing comma: the new argument takes the same one
        args[-1] = last.with_changes(comma=cst.Comma(whitespace_after=_between_arguments(call)))
        args.append(new.with_changes(comma=last.comma))
    else:
        args[-1] = last.with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
        args.append(new)
    return call.with_changes(args=args)


def _between_arguments(call: cst.Call) -> cst.BaseParenthesizableWhitespace:
    """The whitespace the call puts between two arguments (one per line: a line break and its indent), its
    comment left where it is."""
    args = call.args
    between = (args[-2].comma.whitespace_after if len(args) >= 2 and isinstance(args[-2].comma, cst.Comma)
               else call.whitespace_before_args)
    if isinstance(between, cst.ParenthesizedWhitespace):
        return between.with_changes(first_line=cst.TrailingWhitespace(), empty_lines=())
    return cst.SimpleWhitespace(" ")


class _StatementReplacer(cst.CSTTransformer):
    def __init__(self, old: cst.SimpleStatementLine, new: Sequence[cst.BaseStatement]) -> None:
        self.old = old
        self.new = new

    def leave_SimpleStatementLine(self, original_node: cst.SimpleStatementLine,
                                  updated_node: cst.SimpleStatementLine
                                  ) -> "cst.BaseStatement | cst.FlattenSentinel[cst.BaseStatement]":
        if original_node is self.old:
            return cst.FlattenSentinel(self.new)
        return updated_node


class _Siblings(cst.CSTVisitor):
    def __init__(self, node: cst.SimpleStatementLine) -> None:
        self.node = node
        self.after: list[cst.BaseStatement] | None = None

    def visit_IndentedBlock(self, node: cst.IndentedBlock) -> None:
        for number, statement in enumerate(node.body):
            if statement is self.node:
                self.after = list(node.body[number + 1:])


class _TailReplacer(cst.CSTTransformer):
    def __init__(self, node: cst.SimpleStatementLine, new: Sequence[cst.BaseStatement]) -> None:
        self.node = node
        self.new = new

    def leave_IndentedBlock(self, original_node: cst.IndentedBlock,
                            updated_node: cst.IndentedBlock) -> cst.IndentedBlock:
        for number, statement in enumerate(original_node.body):
            if statement is self.node:
                return updated_node.with_changes(body=[*updated_node.body[:number], *self.new])
        return updated_node


class _BlockMerger(cst.CSTTransformer):
    def leave_IndentedBlock(self, original_node: cst.IndentedBlock,
                            updated_node: cst.IndentedBlock) -> cst.IndentedBlock:
        merged: list[cst.BaseStatement] = []
        for statement in updated_node.body:
            previous = merged[-1] if merged else None
            if (previous is not None and is_autocommit_block(previous) and is_autocommit_block(statement)
                    and isinstance(previous, cst.With) and isinstance(statement, cst.With)
                    and isinstance(previous.body, cst.IndentedBlock)
                    and isinstance(statement.body, cst.IndentedBlock)):
                inner = list(statement.body.body)
                # The comments above the second block describe its statements: they move in with them.
                inner[0] = inner[0].with_changes(  # type: ignore[call-arg]
                    leading_lines=[*statement.leading_lines, *inner[0].leading_lines])
                merged[-1] = previous.with_changes(body=previous.body.with_changes(
                    body=[*previous.body.body, *inner]))
                continue
            merged.append(statement)
        return updated_node.with_changes(body=merged)
