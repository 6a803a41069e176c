"""Fit report text to a width: break at spaces, fold paths after ``/``, never split a word that fits a row.

The terminal wraps a row that is too long wherever the column ends, in the middle of a word or a path. Text
reporters therefore break rows themselves, before the terminal has to: at a space when the next word does not
fit; after a ``/`` when a path is wider than a whole row (a path has no spaces to break at); and inside a word
only when that word alone is wider than a row (nothing else can keep it on screen). Rows after the first start
with a continuation prefix, so a finding's message, source line or fix stays visibly one item.
"""

from __future__ import annotations

import os
import re
from typing import TextIO

from rich.cells import cell_len
from rich.text import Span, Text

# Width when the output is no terminal and COLUMNS is not set: what terminals open with, what
# `shutil.get_terminal_size` and rich assume, and what a CI log or a pager shows without wrapping again.
DEFAULT_WIDTH = 80
# Below this, wrapping at words stops making sense (a rule id alone is up to 33 columns).
MIN_WIDTH = 40

_WORD = re.compile(r"\S+")


def output_width(stream: TextIO | None = None) -> int:
    """The width to render for: ``COLUMNS`` when set (as rich and ``shutil`` honour it), else the width of the
    terminal ``stream`` is, else :data:`DEFAULT_WIDTH`. ``stream`` is the report's own stream: migsafe points
    descriptor 1 elsewhere while revisions run, so asking descriptor 1 would find no terminal."""
    columns = os.environ.get("COLUMNS", "").strip()
    if columns.isdigit() and int(columns) > 0:
        return max(int(columns), MIN_WIDTH)
    try:
        if stream is not None and stream.isatty():
            return max(os.get_terminal_size(stream.fileno()).columns, MIN_WIDTH)
    except (OSError, ValueError, AttributeError):
        pass
    return DEFAULT_WIDTH


def wrap(text: Text | str, width: int, continuation: Text | str = "") -> Text:
    """``text`` broken into rows of at most ``width`` cells, every row after the first starting with
    ``continuation`` (e.g. spaces, for a hanging indent). Explicit newlines start a new row too. Styles are
    kept. A row's leading whitespace is kept only on the first row.

    Works on the plain string and moves the style spans along (slicing rich ``Text`` row by row costs five
    times as much, which a report of thousands of findings notices)."""
    if isinstance(text, str):
        text = Text(text)
    if isinstance(continuation, str):
        continuation = Text(continuation)
    if "\t" in text.plain:
        text = text.copy()
        text.expand_tabs(4)
    plain = text.plain
    prefix = continuation.plain
    prefix_width = cell_len(prefix)
    ranges: list[tuple[int, int]] = []
    offset = 0
    for number, paragraph in enumerate(plain.split("\n")):
        rows = _rows(paragraph, width, 0 if number == 0 else prefix_width, prefix_width)
        ranges += [(offset + start, offset + end) for start, end in rows]
        offset += len(paragraph) + 1
    if ranges == [(0, len(plain))]:
        return text  # it fits
    pieces: list[str] = []
    spans: list[Span] = []
    placed: list[tuple[int, int, int]] = []  # (start, end) in ``plain`` -> where that row now starts
    position = 0
    for number, (start, end) in enumerate(ranges):
        if number:
            pieces += ["\n", prefix]
            position += 1
            if continuation.style:
                spans.append(Span(position, position + len(prefix), continuation.style))
            spans += [Span(position + span.start, position + span.end, span.style) for span in continuation.spans]
            position += len(prefix)
        placed.append((start, end, position))
        pieces.append(plain[start:end])
        position += end - start
    for span in text.spans:
        for start, end, at in placed:
            low, high = max(span.start, start), min(span.end, end)
            if low < high:
                spans.append(Span(at + low - start, at + high - start, span.style))
    return Text("".join(pieces), style=text.style, spans=spans, end=text.end)


def _rows(plain: str, width: int, first_column: int, prefix_width: int) -> list[tuple[int, int]]:
    """Greedy line breaking of ``plain``: (start, end) of each row. The first row starts at ``first_column``
    (0: it also keeps its leading whitespace), the others after a prefix of ``prefix_width`` cells."""
    room = max(width - prefix_width, 1)  # what a continuation row holds
    rows: list[tuple[int, int]] = []
    lead = _first_word_start(plain) if first_column == 0 else 0
    row_start, row_end = (0, lead) if first_column == 0 else (None, 0)
    column = cell_len(plain[:lead]) if first_column == 0 else first_column
    filled = False  # the row holds a word already
    for match in _WORD.finditer(plain):
        start, end = match.span()
        word_width = cell_len(plain[start:end])
        gap = cell_len(plain[row_end:start]) if filled else 0
        if column + gap + word_width <= width:
            if row_start is None:
                row_start = start
            row_end, column, filled = end, column + gap + word_width, True
            continue
        if filled and word_width <= room:  # it fits a fresh row: break at the space before it
            rows.append((row_start, row_end))  # type: ignore[arg-type]
            row_start, row_end, column = start, end, prefix_width + word_width
            continue
        # Wider than a whole row (a long path): fold it, after a "/" where it has one.
        for piece_start, piece_end in _pieces(plain, start, end, room):
            piece_width = cell_len(plain[piece_start:piece_end])
            if filled and column + gap + piece_width > width:
                rows.append((row_start, row_end))  # type: ignore[arg-type]
                row_start, column, gap = piece_start, prefix_width, 0
            if row_start is None:
                row_start = piece_start
            row_end, column, filled, gap = piece_end, column + gap + piece_width, True, 0
    rows.append((row_start if row_start is not None else 0, row_end))
    return rows


def _first_word_start(plain: str) -> int:
    match = _WORD.search(plain)
    return match.start() if match else len(plain)


def _pieces(plain: str, start: int, end: int, room: int) -> list[tuple[int, int]]:
    """A word too wide for a row, in pieces a row can take: ending at each ``/`` (a path), and a piece still
    wider than a row cut at ``room`` cells (the only place a word is ever split)."""
    pieces: list[tuple[int, int]] = []
    piece_start = start
    for index in range(start, end):
        if plain[index] == "/" and index + 1 < end:
            pieces.append((piece_start, index + 1))
            piece_start = index + 1
    pieces.append((piece_start, end))
    cut: list[tuple[int, int]] = []
    for piece_start, piece_end in pieces:
        used = 0  # cells from piece_start, counted once per character (a token can be thousands long)
        for index in range(piece_start, piece_end):
            cells = cell_len(plain[index])
            if used + cells > room and index > piece_start:
                cut.append((piece_start, index))
                piece_start, used = index, 0
            used += cells
        cut.append((piece_start, piece_end))
    return cut
