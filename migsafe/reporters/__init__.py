"""Reporters: each renders a :class:`~migsafe.report.Report` to text and nothing else.

A reporter is a function ``render(report, *, color: bool) -> str`` in a module named after its format; the
formats in :data:`SIZED` also take ``width``, the terminal columns they fit their rows to.
"""

from __future__ import annotations

import importlib
from typing import Callable

from migsafe.report import Report
from migsafe.reporters.wrap import DEFAULT_WIDTH

FORMATS = ("text", "concise", "json", "github", "sarif", "markdown", "gitlab")
SIZED = frozenset({"text"})  # rendered for a width; the others are records or machine formats

Renderer = Callable[..., str]


def renderer(fmt: str) -> Renderer:
    if fmt not in FORMATS:
        raise ValueError(fmt)
    module = importlib.import_module(f"migsafe.reporters.{fmt}_reporter")
    return module.render  # type: ignore[no-any-return]


def render(fmt: str, report: Report, *, color: bool = False, width: int = DEFAULT_WIDTH) -> str:
    """``report`` in format ``fmt``, fitted to ``width`` columns when the format is one read on a terminal."""
    draw = renderer(fmt)
    return draw(report, color=color, width=width) if fmt in SIZED else draw(report, color=color)


__all__ = ["FORMATS", "SIZED", "Report", "render", "renderer"]
