"""The default terminal output: findings grouped by revision, each with its source line and the fix.

Output is deterministic (no timestamps, stable order) so it can be diffed; colour only when asked for.
"""

from __future__ import annotations

import io
from itertools import groupby
from pathlib import Path

from rich.console import Console
from rich.markup import escape

from migsafe.report import Finding, Report

_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}


def console_for(buffer: io.StringIO, color: bool, width: int = 100) -> Console:
    return Console(file=buffer, force_terminal=color, no_color=not color, width=width, highlight=False,
                   soft_wrap=True)


def render(report: Report, *, color: bool = False) -> str:
    buffer = io.StringIO()
    console = console_for(buffer, color)
    print_findings(console, report)
    print_problems(console, report)
    print_summary(console, report)
    return buffer.getvalue()


def direction(item: object) -> str:
    """" (downgrade)" for a finding or load error in a revision's downgrade() (review --downgrade)."""
    return " (downgrade)" if getattr(item, "direction", "upgrade") == "downgrade" else ""


def print_findings(console: Console, report: Report) -> None:
    for _, findings in groupby(report.findings, key=lambda f: (f.order, f.path)):
        items = list(findings)
        console.print(f"[bold]revision {escape(items[0].revision)}{direction(items[0])}[/bold]")
        for f in items:
            print_finding(console, report, f)
        console.print()


def print_finding(console: Console, report: Report, f: Finding) -> None:
    style = _STYLE[f.severity]
    console.print(f"  {escape(report.display_path(f.path))}:{f.line}: [{style}]{f.severity}[/{style}] "
                  f"[bold]{f.rule}[/bold]{direction(f)}: {escape(f.message)}")
    if f.source_line:
        console.print(f"    [dim]{f.line:>4} |[/dim] {escape(f.source_line)}")
    console.print(f"    [green]fix:[/green] {escape(f.fix)}")


def location(report: Report, path: Path | None, line: int | None) -> str:
    """``path:line: `` before a message; a directory (one that cannot be listed) has no line."""
    if path is None:
        return ""
    return f"{report.display_path(path)}:{line}: " if line else f"{report.display_path(path)}: "


def print_problems(console: Console, report: Report) -> None:
    """Revisions that could not be reviewed, then notes."""
    for error in report.errors:
        where = location(report, error.path, error.line)
        console.print(f"{escape(where)}[bold red]{error.kind}[/bold red]{direction(error)}: {escape(error.message)}")
    if report.errors:
        console.print()
    for note in report.notes:
        where = location(report, note.path, note.line)
        console.print(f"[dim]{escape(where)}note ({note.kind}): {escape(note.message)}[/dim]")
    if report.notes:
        console.print()


def print_summary(console: Console, report: Report) -> None:
    summary = report.summary_line()
    if report.baselined:
        summary += f"; {report.baselined} known finding{'s' if report.baselined != 1 else ''} left out (baseline)"
    console.print(summary)
    console.print(f"[dim]assumed: {escape(report.assumptions_line)}[/dim]")


# Where `--hook` output sends readers for the checks that do block a merge.
BLOCKING_CHECKS_URL = "https://github.com/migsafe/migsafe/blob/main/docs/pre-commit.md"


def render_hook(report: Report, *, color: bool = False) -> str:
    """Compact output for Alembic's post-write hook (`migsafe review --hook REVISION_SCRIPT_FILENAME`).

    Alembic prints this between "Running post write hook" and "done" and ignores the exit status, so it is
    advisory: one header line, each finding with its source line and fix, load errors and notes one line
    each, then one line pointing to the checks that block a merge. A clean revision gets the header only.
    """
    buffer = io.StringIO()
    console = console_for(buffer, color)
    counts = report.counts
    if report.findings:
        parts = ", ".join(f"{counts[s]} {s}{'s' if counts[s] != 1 else ''}" for s in ("error", "warning", "info")
                          if counts[s])
        summary = f"{len(report.findings)} finding{'s' if len(report.findings) != 1 else ''} ({parts})"
    else:
        summary = "no findings"
    what = "the new revision" if report.revisions_reviewed <= 1 else f"{report.revisions_reviewed} revisions"
    headline = f"{summary} in {what}"
    if report.errors:
        problems = f"{len(report.errors)} problem{'s' if len(report.errors) != 1 else ''}"
        headline = f"{headline}, {problems}" if report.findings else f"could not review {what}"
    model = {"per-migration": "one transaction per revision", "none": "no transactions"}.get(
        report.transaction_model, "one transaction per deploy")
    console.print(f"[bold]migsafe[/bold]: {headline} [dim](PostgreSQL {report.pg_version}, {model})[/dim]")
    for f in report.findings:
        print_finding(console, report, f)
    for error in report.errors:
        where = location(report, error.path, error.line)
        console.print(f"  {escape(where)}[bold red]{error.kind}[/bold red]{direction(error)}: "
                      f"{escape(_first_line(error.message))}")
    for note in report.notes:
        where = location(report, note.path, note.line)
        console.print(f"  [dim]{escape(where)}note ({note.kind}): {escape(_first_line(note.message))}[/dim]")
    if report.findings or report.errors:
        console.print(f"[dim]advisory only: Alembic ignores this hook's result and the file is left as written; "
                      f"migsafe in pre-commit or CI blocks the merge: {BLOCKING_CHECKS_URL}[/dim]")
    return buffer.getvalue()


def _first_line(text: str) -> str:
    lines = text.strip().splitlines()
    return lines[0] if lines else ""
