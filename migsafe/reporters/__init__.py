"""Reporters: each renders a :class:`~migsafe.report.Report` to text and nothing else.

A reporter is a function ``render(report, *, color: bool) -> str`` in a module named after its format.
"""

from __future__ import annotations

import importlib
from typing import Callable

from migsafe.report import Report

FORMATS = ("text", "json", "github", "sarif", "markdown", "gitlab")

Renderer = Callable[..., str]


def renderer(fmt: str) -> Renderer:
    if fmt not in FORMATS:
        raise ValueError(fmt)
    module = importlib.import_module(f"migsafe.reporters.{fmt}_reporter")
    return module.render  # type: ignore[no-any-return]


__all__ = ["FORMATS", "Report", "renderer"]
