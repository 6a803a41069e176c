"""Fitting text to a terminal's width without breaking words: column widths for a table, and a path folded
at its slashes. Rich wraps a cell at spaces and breaks a word only when the word is wider than its column;
its own table layout shrinks columns without looking at their words, so the widths are chosen here."""

from __future__ import annotations

from typing import Sequence

from rich.cells import cell_len


def longest_word(text: str) -> int:
    return max((cell_len(word) for word in text.split()), default=0)


def longest_line(text: str) -> int:
    return max((cell_len(line) for line in text.splitlines()), default=0)


def column_widths(columns: Sequence[Sequence[str]], wrapable: Sequence[bool], width: int,
                  gap: int = 3) -> list[int] | None:
    """Widths for ``columns`` (each a list of cells, its header first) that fit in ``width`` with ``gap``
    characters between neighbours, each column at least as wide as its longest word, or its longest line when
    it may not wrap: no word is broken. Columns as wide as their longest line when that fits; otherwise the
    widest ones give up room first. None: no such widths (too many columns for the width)."""
    least = [max((longest_word(c) if wrap else longest_line(c)) for c in cells) or 1
             for cells, wrap in zip(columns, wrapable)]
    widths = [max(max(longest_line(c) for c in cells), low) for cells, low in zip(columns, least)]
    room = width - gap * (len(widths) - 1)
    if sum(least) > room:
        return None
    excess = sum(widths) - room
    while excess > 0:
        widest = max((i for i, w in enumerate(widths) if w > least[i]), key=lambda i: widths[i])
        widths[widest] -= 1
        excess -= 1
    return widths


def fold_path(path: str, width: int) -> list[str]:
    """``path`` in lines of at most ``width`` characters, broken after a ``/``; a name longer than the whole
    width is cut where it must be (nothing else can be done with it)."""
    lines: list[str] = []
    line = ""
    for part in path.replace("/", "/\n").split("\n"):
        if line and cell_len(line + part) > width:
            lines.append(line)
            line = ""
        line += part
        while cell_len(line) > width:
            lines.append(line[:width])
            line = line[width:]
    if line or not lines:
        lines.append(line)
    return lines
