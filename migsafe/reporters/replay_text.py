"""``migsafe replay`` on the terminal: per revision, a table of statements with what the server did."""

from __future__ import annotations

import io

from rich import box
from rich.markup import escape
from rich.table import Table

from migsafe.pg_locks import blocks
from migsafe.replay.model import ObservedStatement
from migsafe.replay.run import ReplayReport
from migsafe.reporters import text_reporter

_STATUS = {"confirmed": "green", "not observed": "yellow", "not observable": "cyan", "observed": "magenta"}


def _locks(s: ObservedStatement) -> str:
    seen: dict[str, str] = {}
    for lock in s.locks:
        if lock.acquired and lock.kind in ("table", "partitioned table", "materialized view", "index"):
            name = lock.relation + ("" if lock.existing else " (new)")
            seen.setdefault(f"{lock.mode.removesuffix('Lock')} {name}", "")
    text = ", ".join(seen) or "-"
    return text if s.observed else f"{text} (documented)"


def _blocks(s: ObservedStatement) -> str:
    modes = [lock.mode for lock in s.locks if lock.existing]
    if any(blocks(m).reads for m in modes):
        return "reads+writes"
    if any(blocks(m).writes for m in modes):
        return "writes"
    return "-"


def _short(sql: str, limit: int = 60) -> str:
    return sql if len(sql) <= limit else sql[: limit - 1] + "…"


def render(result: ReplayReport, *, color: bool = False) -> str:
    buffer = io.StringIO()
    console = text_reporter.console_for(buffer, color, width=140)
    report = result.report
    for revision in result.revisions:
        if not revision.reviewed:
            continue
        console.print(f"[bold]revision {escape(revision.revision)}[/bold]  {escape(report.display_path(revision.path))}")
        if revision.seeded:
            console.print(f"  [dim]seeded before it: {escape(', '.join(f'{t} +{n}' for t, n in revision.seeded.items()))}"
                          "[/dim]")
        for table, reason in revision.unseeded.items():
            console.print(f"  [yellow]could not seed {escape(table)}: {escape(reason)}[/yellow]")
        grid = Table(box=box.SIMPLE, show_edge=False, pad_edge=False)
        for column in ("line", "statement", "locks taken", "blocks", "rewrite", "scan", "ms"):
            grid.add_column(column, overflow="fold")
        for s in revision.statements:
            grid.add_row(str(s.line), escape(_short(s.sql)) + (f"\n[red]ERROR: {escape(s.error)}[/red]" if s.error else ""),
                         escape(_locks(s)), _blocks(s), escape(", ".join(s.existing_rewrites) or "-"),
                         escape(", ".join(s.existing_scans) or "-"), f"{s.duration_ms:.1f}")
        console.print(grid)
        if revision.error:
            console.print(f"  [red]failed: {escape(revision.error)}[/red]")
        for f in (f for f in report.findings if f.revision == revision.revision):
            style = _STATUS.get(f.replay_status or "", "white")
            console.print(f"  {escape(report.display_path(f.path))}:{f.line}: [bold]{f.rule}[/bold] "
                          f"[{style}]{escape(f.replay_status or '')}[/{style}]: "
                          f"{escape(f.replay_detail or f.message)}")
        console.print()
    statuses = {status: sum(1 for f in report.findings if f.replay_status == status)
                for status in ("confirmed", "not observed", "not observable", "observed")}
    console.print(f"static findings: {statuses['confirmed']} confirmed, {statuses['not observed']} not observed, "
                  f"{statuses['not observable']} not observable on this server; "
                  f"{statuses['observed']} found by replay alone")
    console.print(f"[dim]server: {escape(result.server)}; replay took {result.seconds:.1f} s[/dim]")
    text_reporter.print_problems(console, report)
    text_reporter.print_summary(console, report)
    return buffer.getvalue()
