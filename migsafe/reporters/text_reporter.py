"""The default terminal output: findings grouped by revision, each with its source line and the fix.

Fitted to the reader's terminal: every row is at most ``width`` cells, broken at spaces (paths after a ``/``),
so the terminal never has to wrap one in the middle of a word. Each revision's path is printed once, in its
header; a finding starts with ``line N: severity rule-id`` and has its message, source line and fix indented
under it. Output is deterministic (no timestamps, stable order) so it can be diffed; colour only when asked
for.
"""

from __future__ import annotations

import io
from itertools import groupby
from pathlib import Path

from rich.console import COLOR_SYSTEMS, Console
from rich.markup import escape
from rich.text import Text

from migsafe.report import Finding, Report
from migsafe.reporters.wrap import DEFAULT_WIDTH, wrap

_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}
INDENT = "    "  # continuation rows, and a finding's message and fix under its first row


def console_for(buffer: io.StringIO, color: bool, width: int = 100) -> Console:
    """A console that writes rows as given (``soft_wrap``): text reporters break rows themselves
    (:mod:`migsafe.reporters.wrap`), so nothing is cut or wrapped again here."""
    return Console(file=buffer, force_terminal=color, no_color=not color, width=width, highlight=False,
                   soft_wrap=True)


def render(report: Report, *, color: bool = False, width: int = DEFAULT_WIDTH) -> str:
    """The report for a reader at a terminal ``width`` columns wide: no row is wider, and no word is split
    across rows unless it is wider than a row by itself."""
    return to_string([*finding_rows(report, width), *problem_rows(report, width), *summary_rows(report, width)],
                     color, width)


def to_string(rows: list[Text], color: bool, width: int = DEFAULT_WIDTH) -> str:
    """Rows as the report's text. The rows are broken already, so they need no console's layout: plain text
    without colour, each styled piece's escape codes with it (a report of thousands of findings takes a
    quarter of the time ``Console.print`` takes)."""
    if not color:
        return "".join(row.plain + "\n" for row in rows)
    console = console_for(io.StringIO(), color, width)
    system = COLOR_SYSTEMS.get(console.color_system or "")
    out: list[str] = []
    for row in rows:
        for segment in row.render(console, end="\n"):
            out.append(segment.style.render(segment.text, color_system=system) if segment.style else segment.text)
    return "".join(out)


def direction(item: object) -> str:
    """" (downgrade)" for a finding or load error in a revision's downgrade() (review --downgrade)."""
    return " (downgrade)" if getattr(item, "direction", "upgrade") == "downgrade" else ""


def finding_rows(report: Report, width: int) -> list[Text]:
    """Per revision: one header with its path (long, and the same for all its findings), then each finding
    under it, then a blank row."""
    rows: list[Text] = []
    for _, findings in groupby(report.findings, key=lambda f: (f.order, f.path)):
        items = list(findings)
        header = Text.assemble((f"revision {items[0].revision}", "bold"), ": ", report.display_path(items[0].path))
        rows.append(wrap(header, width, INDENT))
        for f in items:
            rows += finding(f, width)
        rows.append(Text())
    return rows


def finding(f: Finding, width: int) -> list[Text]:
    """``line N: severity rule-id``, then the message, the source line and the fix indented under it."""
    rows = [wrap(Text.assemble(f"  line {f.line}: ", (f.severity, _STYLE[f.severity]), " ", (f.rule, "bold"),
                               direction(f)), width, INDENT),
            wrap(INDENT + f.text, width, INDENT)]
    if f.source_line:
        gutter = f"{f.line:>4} | "
        rows.append(wrap(Text.assemble(INDENT, (gutter, "dim"), f.source_line), width,
                         Text.assemble(INDENT, (" " * (len(gutter) - 2) + "| ", "dim"))))
    rows.append(wrap(Text.assemble(INDENT, ("fix:", "green"), " ", f.fix), width, INDENT + " " * len("fix: ")))
    return rows


def print_finding_line(console: Console, report: Report, f: Finding) -> None:
    """A finding as one logical line, ``path:line: severity rule-id: message``, with its source line and fix
    (the post-write hook's compact form, where the new revision's path is what the reader looks for)."""
    style = _STYLE[f.severity]
    console.print(f"  {escape(report.display_path(f.path))}:{f.line}: [{style}]{f.severity}[/{style}] "
                  f"[bold]{f.rule}[/bold]{direction(f)}: {escape(f.text)}")
    if f.source_line:
        console.print(f"    [dim]{f.line:>4} |[/dim] {escape(f.source_line)}")
    console.print(f"    [green]fix:[/green] {escape(f.fix)}")


def location(report: Report, path: Path | None, line: int | None) -> str:
    """``path:line: `` before a message; a directory (one that cannot be listed) has no line."""
    if path is None:
        return ""
    return f"{report.display_path(path)}:{line}: " if line else f"{report.display_path(path)}: "


def problem_rows(report: Report, width: int) -> list[Text]:
    """Revisions that could not be reviewed, then notes: each its own paragraph, later rows indented."""
    rows: list[Text] = []
    for error in report.errors:
        where = location(report, error.path, error.line)
        rows.append(wrap(Text.assemble(where, (error.kind, "bold red"), direction(error), ": ", error.message),
                         width, INDENT))
    if report.errors:
        rows.append(Text())
    for note in report.notes:
        where = location(report, note.path, note.line)
        rows.append(wrap(Text(f"{where}note ({note.kind}): {note.message}", style="dim"), width, INDENT))
    if report.notes:
        rows.append(Text())
    return rows


def summary_rows(report: Report, width: int) -> list[Text]:
    """The counts, then what the review assumed (the PostgreSQL version, transactions, deploys, driver)."""
    summary = report.summary_line()
    if report.baselined:
        summary += f"; {report.baselined} known finding{'s' if report.baselined != 1 else ''} left out (baseline)"
    return [wrap(summary, width, INDENT), wrap(Text(f"assumed: {report.assumptions_line}", style="dim"), width, INDENT)]


def print_problems(console: Console, report: Report) -> None:
    """:func:`problem_rows` at the console's width (replay's text report ends with them too)."""
    for row in problem_rows(report, console.width):
        console.print(row, soft_wrap=True)


def print_summary(console: Console, report: Report) -> None:
    for row in summary_rows(report, console.width):
        console.print(row, soft_wrap=True)


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
        print_finding_line(console, report, f)
    for error in report.errors:
        where = location(report, error.path, error.line)
        console.print(f"  {escape(where)}[bold red]{error.kind}[/bold red]{direction(error)}: "
                      f"{escape(_first_line(error.message))}")
    for note in report.notes:
        where = location(report, note.path, note.line)
        console.print(f"  [dim]{escape(where)}note ({note.kind}): {escape(_first_line(note.message))}[/dim]")
    if report.findings or report.errors:
        state = ("--fix rewrote the file; what remains is yours to fix" if report.fixed_files
                 else "the file is left as written")
        console.print(f"[dim]advisory only: Alembic ignores this hook's result and {state}; "
                      f"migsafe in pre-commit or CI blocks the merge: {BLOCKING_CHECKS_URL}[/dim]")
    return buffer.getvalue()


def _first_line(text: str) -> str:
    lines = text.strip().splitlines()
    return lines[0] if lines else ""
