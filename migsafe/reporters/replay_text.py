"""``migsafe replay`` on the terminal: per revision, its statements with what the server did.

Rendered for the terminal's width, never breaking a word (a word wider than the whole width excepted): a
revision's statements are a table of seven columns when every column fits as wide as its longest word; else
a table of four, the locks, what they block, the rewrites and the scans folded into one column; else one
block per statement. A revision's path is folded at its slashes when it does not fit beside its id, and its
findings start with ``line N:`` under it.
"""

from __future__ import annotations

import io
from typing import Any

from rich import box
from rich.console import Console, RenderableType
from rich.markup import escape
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from migsafe.pg_locks import blocks
from migsafe.replay.model import ObservedStatement, ReplayedRevision
from migsafe.replay.run import ReplayReport
from migsafe.reporters import contention, text_reporter
from migsafe.reporters.fit import column_widths, fold_path

_STATUS = {"confirmed": "green", "not observed": "yellow", "not observable": "cyan", "observed": "magenta"}
_WIDE = ("line", "statement", "locks taken", "blocks", "rewrite", "scan", "ms")
_WIDE_WRAPS = (False, True, True, False, True, True, False)
_FOLDED = ("line", "statement", "what the server did", "ms")
_FOLDED_WRAPS = (False, True, True, False)
_GAP = 3  # a column's padding on both sides and the space between: box.SIMPLE without edges


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
    return sql if len(sql) <= limit else sql[: limit - 1].rstrip() + "…"


def _wide_cells(s: ObservedStatement) -> list[str]:
    return [str(s.line), _statement(s), _locks(s), _blocks(s), ", ".join(s.existing_rewrites) or "-",
            ", ".join(s.existing_scans) or "-", f"{s.duration_ms:.1f}"]


def _effects(s: ObservedStatement) -> str:
    """The four columns the folded layout puts in one: only the ones with something to say, besides locks."""
    lines = [f"locks taken: {_locks(s)}"]
    if _blocks(s) != "-":
        lines.append(f"blocks: {_blocks(s)}")
    if s.existing_rewrites:
        lines.append(f"rewrite: {', '.join(s.existing_rewrites)}")
    if s.existing_scans:
        lines.append(f"scan: {', '.join(s.existing_scans)}")
    return "\n".join(lines)


def _folded_cells(s: ObservedStatement) -> list[str]:
    return [str(s.line), _statement(s), _effects(s), f"{s.duration_ms:.1f}"]


def _statement(s: ObservedStatement) -> str:
    return _short(s.sql) + (f"\nERROR: {s.error}" if s.error else "")


def _layout(revision: ReplayedRevision, width: int) -> tuple[tuple[str, ...], Any, list[int]] | None:
    """The widest layout whose table of the revision's statements fits ``width`` without breaking a word: its
    headers, its cells, and its column widths. None: one block per statement."""
    statements = revision.statements
    for headers, wraps, cells in ((_WIDE, _WIDE_WRAPS, _wide_cells), (_FOLDED, _FOLDED_WRAPS, _folded_cells)):
        rows = [cells(s) for s in statements]
        columns = [[header, *(row[i] for row in rows)] for i, header in enumerate(headers)]
        widths = column_widths(columns, wraps, width, gap=_GAP)
        if widths is not None:
            return headers, cells, widths
    return None


def _cell(text: str, column: str) -> Text:
    """A cell, the statement's server error in red."""
    if column == "statement" and "\nERROR: " in text:
        sql, _, error = text.partition("\n")
        return Text(sql) + Text("\n" + error, style="red")
    return Text(text)


def _table(revision: ReplayedRevision, headers: tuple[str, ...], cells: Any, widths: list[int]) -> Table:
    grid = Table(box=box.SIMPLE, show_edge=False, pad_edge=False)
    for header, width in zip(headers, widths):
        grid.add_column(header, width=width, overflow="fold", justify="right" if header == "ms" else "left")
    for s in revision.statements:
        grid.add_row(*(_cell(text, header) for text, header in zip(cells(s), headers)))
    return grid


def _blocks_of(revision: ReplayedRevision) -> list[RenderableType]:
    """One block per statement, for a terminal too narrow for a table."""
    out: list[RenderableType] = []
    for s in revision.statements:
        out.append(Text.assemble("  ", (f"line {s.line}", "bold"), f"  {s.duration_ms:.1f} ms"))
        out.append(Padding(_cell(_statement(s), "statement"), (0, 0, 0, 4), expand=False))
        out.append(Padding(Text(_effects(s), style="dim"), (0, 0, 0, 4), expand=False))
    return out


def _header(revision: ReplayedRevision, path: str, width: int) -> list[RenderableType]:
    title = Text.assemble(("revision " + revision.revision, "bold"))
    if len(title) + 2 + len(path) <= width:
        return [title + Text("  " + path)]
    return [title, *(Text("  " + line) for line in fold_path(path, width - 2))]


def _contention_table(measured: list[ObservedStatement]) -> Table:
    """``--contention``'s numbers: as written, then with the lock_timeout, for each measured statement."""
    grid = Table(box=box.SIMPLE, show_edge=False, pad_edge=False)
    for header in contention.HEADERS:
        grid.add_column(header, justify="left" if header in ("table", "run") else "right", overflow="fold")
    for s in measured:
        for row in contention.rows(s):
            grid.add_row(*row)
    return grid


def _findings(result: ReplayReport, revision: ReplayedRevision) -> Table | None:
    """The revision's findings, each ``line N: rule status: detail``, wrapped under its text (the revision's
    path is in the header above)."""
    report = result.report
    found = [f for f in report.findings if f.revision == revision.revision]
    if not found:
        return None
    grid = Table.grid(padding=(0, 1, 0, 0))
    grid.add_column(no_wrap=True)
    grid.add_column()
    for f in found:
        style = _STATUS.get(f.replay_status or "", "white")
        grid.add_row(f"line {f.line}:", Text.from_markup(
            f"[bold]{f.rule}[/bold] [{style}]{escape(f.replay_status or '')}[/{style}]: "
            f"{escape(f.replay_detail or f.text)}"))
    return grid


def render(result: ReplayReport, *, color: bool = False, width: int = 140) -> str:
    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=color, no_color=not color, width=width, highlight=False)
    report = result.report
    reviewed = [r for r in result.revisions if r.reviewed]
    for revision in reviewed:
        for line in _header(revision, report.display_path(revision.path), width):
            console.print(line)
        if revision.seeded:
            console.print(Padding(Text("seeded before it: " + ", ".join(f"{t} +{n}" for t, n in
                                                                        revision.seeded.items()), style="dim"),
                                  (0, 0, 0, 2), expand=False))
        for table, reason in revision.unseeded.items():
            console.print(Padding(Text(f"could not seed {table}: {reason}", style="yellow"), (0, 0, 0, 2),
                                  expand=False))
        layout = _layout(revision, width)
        if layout is None:
            for block in _blocks_of(revision):
                console.print(block)
        else:
            console.print(_table(revision, *layout))
        extrapolated = [s for s in revision.statements if s.extrapolation is not None]
        if extrapolated:
            # Labelled as what it is: the measured time scaled to the stats snapshot's rows, not a measurement.
            console.print(Padding(Text("extrapolated to the production size (stats snapshot, linear in rows):"),
                                  (0, 0, 0, 2), expand=False))
            for s in extrapolated:
                console.print(Padding(Text(f"line {s.line}: {s.extrapolation.words()}"),  # type: ignore[union-attr]
                                      (0, 0, 0, 4), expand=False))
        measured = contention.measured(revision)
        if measured:
            console.print(Padding(Text("under contention:"), (0, 0, 0, 2), expand=False))
            console.print(Padding(_contention_table(measured), (0, 0, 0, 2), expand=False))
            for s in measured:
                words = contention.sentence(s.contention)  # type: ignore[arg-type]
                console.print(Padding(Text(f"line {s.line}: {words}"), (0, 0, 0, 4), expand=False))
        if revision.error:
            console.print(Padding(Text(f"failed: {revision.error}", style="red"), (0, 0, 0, 2), expand=False))
        findings = _findings(result, revision)
        if findings is not None:
            console.print(Padding(findings, (0, 0, 0, 2), expand=False))
        console.print()
    statuses = {status: sum(1 for f in report.findings if f.replay_status == status)
                for status in ("confirmed", "not observed", "not observable", "observed")}
    console.print(f"static findings: {statuses['confirmed']} confirmed, {statuses['not observed']} not observed, "
                  f"{statuses['not observable']} not observable on this server; "
                  f"{statuses['observed']} found by replay alone")
    if result.contention is not None:
        console.print(Text(f"contention: {contention.setup(result.contention)}", style="dim"))
        for why in result.unmeasured:
            console.print(Text(f"not measured: {why}", style="yellow"))
    console.print(Text(f"server: {result.server}; replay took {result.seconds:.1f} s", style="dim"))
    text_reporter.print_problems(console, report)
    text_reporter.print_summary(console, report)
    # Table cells are padded to their column's width: no trailing blanks in a file or a log.
    return "".join(line.rstrip() + "\n" for line in buffer.getvalue().splitlines())
