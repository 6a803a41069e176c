"""Which line of a revision script led to an operation.

Findings point at the line a reviewer reads: the statement in ``upgrade()``'s own body that made the call (for
a helper function, the line calling the helper; for a call over several lines, its first line). We take the
``upgrade`` frame's current line from the interpreter stack and widen it to the innermost Python statement
containing it, which gives the same answer on every Python version (3.11 reports the line of the
sub-expression being executed, 3.10 does not).
"""

from __future__ import annotations

import ast
import bisect
import itertools
import sys
from types import CodeType, FrameType


_COMPOUND = (ast.With, ast.AsyncWith, ast.For, ast.While, ast.If, ast.Try, ast.FunctionDef, ast.AsyncFunctionDef,
             ast.ClassDef)


def statement_spans(tree: ast.Module) -> tuple[tuple[int, int], ...]:
    """(first, last) line of every statement in the tree, sorted. Statements only live in statement bodies, so
    only those are visited (a full ``ast.walk`` visits every expression node too: ten times the work)."""
    spans: list[tuple[int, int]] = []
    pending: list[list[ast.stmt]] = [tree.body]
    while pending:
        for node in pending.pop():
            end = getattr(node, "end_lineno", None) or node.lineno
            if isinstance(node, _COMPOUND):
                # A compound statement "contains" only its header for attribution purposes.
                end = max(node.lineno, (node.body[0].lineno - 1) if node.body else node.lineno)
                for item in getattr(node, "items", ()):  # `with a(...), b(...):` headers
                    end = max(end, getattr(item.context_expr, "end_lineno", end) or end)
            spans.append((node.lineno, end))
            for name in ("body", "orelse", "finalbody"):
                children = getattr(node, name, None)
                if isinstance(children, list) and children and isinstance(children[0], ast.stmt):
                    pending.append(children)
            for handler in getattr(node, "handlers", ()):
                pending.append(handler.body)
            for case in getattr(node, "cases", ()):
                pending.append(case.body)
    spans.sort()
    return tuple(spans)


class LineMap:
    """Maps any line of a file to the (first, last) line of the innermost statement containing it."""

    def __init__(self, source: str = "", spans: tuple[tuple[int, int], ...] | None = None) -> None:
        if spans is None:
            try:
                spans = statement_spans(ast.parse(source)) if source else ()
            except SyntaxError:
                spans = ()
        self._spans = list(spans)
        self._starts = [s for s, _ in self._spans]
        # The furthest line any span up to each index reaches: the walk back stops where no earlier span can
        # contain the line, instead of visiting every earlier statement (quadratic in a long upgrade()).
        self._reach = list(itertools.accumulate((e for _, e in self._spans), max))
        self._line_tables: dict[int, tuple[CodeType, list[int], list[int | None]]] = {}

    def frame_line(self, frame: FrameType) -> int | None:
        """``frame.f_lineno``, without its cost: CPython finds it by decoding the code's line table from the start
        on every read, so reading it once per operation of a 50,000-line ``upgrade()`` was quadratic. The table
        (``co_lines()``: the same one) is decoded once per code object and searched."""
        code = frame.f_code
        table = self._line_tables.get(id(code))
        if table is None or table[0] is not code:
            starts: list[int] = []
            lines: list[int | None] = []
            for start, _end, line in code.co_lines():
                starts.append(start)
                lines.append(line)
            table = self._line_tables[id(code)] = (code, starts, lines)
        index = bisect.bisect_right(table[1], frame.f_lasti) - 1
        line = table[2][index] if index >= 0 else None
        return frame.f_lineno if line is None else line

    def frame_statement(self, frame: FrameType) -> tuple[int, int]:
        """The (first, last) line of the innermost statement the frame is executing."""
        return self.statement(self.frame_line(frame))  # type: ignore[arg-type]

    def statement(self, line: int) -> tuple[int, int]:
        best: tuple[int, int] | None = None
        # Spans are sorted by start; the innermost containing span is the one with the latest start.
        for index in range(bisect.bisect_right(self._starts, line) - 1, -1, -1):
            if self._reach[index] < line:
                break
            start, end = self._spans[index]
            if start <= line <= end:
                if best is None or (end - start) < (best[1] - best[0]):
                    best = (start, end)
                if start < line - 200:  # statements are not that long; stop scanning
                    break
        return best or (line, line)


def caller_line(upgrade_code: CodeType | None, filename: str, linemap: LineMap) -> tuple[int, int]:
    """The (first, last) line in the revision of the call currently executing."""
    frame: FrameType | None = sys._getframe(1)
    innermost_in_file: FrameType | None = None
    outermost_in_file: FrameType | None = None
    while frame is not None:
        if upgrade_code is not None and frame.f_code is upgrade_code:
            return linemap.frame_statement(frame)
        if frame.f_code.co_filename == filename:
            if innermost_in_file is None:
                innermost_in_file = frame
            outermost_in_file = frame
        frame = frame.f_back
    chosen = outermost_in_file or innermost_in_file
    if chosen is not None:
        return linemap.frame_statement(chosen)
    return (1, 1)


def upgrade_frame_line(upgrade_code: CodeType | None, linemap: LineMap) -> tuple[int, int] | None:
    """Like :func:`caller_line`, but None when ``upgrade()`` is not on the stack (module import time)."""
    if upgrade_code is None:
        return None
    frame: FrameType | None = sys._getframe(1)
    while frame is not None:
        if frame.f_code is upgrade_code:
            return linemap.frame_statement(frame)
        frame = frame.f_back
    return None
