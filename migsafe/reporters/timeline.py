"""``replay --contention``'s picture: the migration's lock wait and hold against the application's waits.

As a Mermaid gantt chart in the Markdown report (GitHub renders it in job summaries and pull-request comments)
and as a standalone SVG (``--timeline PATH``), drawn by hand: a few rectangles do not need a plotting library,
and migsafe must not pull one in for them.
"""

from __future__ import annotations

from html import escape

from migsafe.replay.model import ContentionRun, ObservedStatement, ReplayedRevision

# What each bar is, in both pictures.
READER, WAIT, HOLD, BLOCKED = "slow reader holds ACCESS SHARE", "migration waits", "migration holds its lock", \
    "app queries blocked"


def _bars(run: ContentionRun) -> list[tuple[str, float, float]]:
    """(what, from, to) in seconds since the scene started."""
    bars = [(READER, run.reader[0], run.reader[1]), (WAIT, run.started, run.acquired or run.ended)]
    if run.acquired is not None:
        bars.append((HOLD, run.acquired, max(run.ended, run.acquired + run.lock_held_ms / 1000)))
    if run.blocked:
        bars.append((f"{BLOCKED} ({len(run.blocked)}, up to {max(w for _, w in run.blocked):.1f} s)",
                     min(sent for sent, _ in run.blocked), max(sent + w for sent, w in run.blocked)))
    return bars


def _runs(s: ObservedStatement) -> list[tuple[str, ContentionRun]]:
    c = s.contention
    assert c is not None
    runs = [(f"line {s.line} as written", c.as_written)]
    if c.with_timeout is not None:
        runs.append((f"line {s.line} lock_timeout {c.lock_timeout}", c.with_timeout))
    return runs


def _mermaid_text(text: str) -> str:
    return text.replace(":", " ").replace("#", " ").replace(";", ",")


def mermaid(revision: ReplayedRevision) -> list[str]:
    """A gantt chart of the revision's measured statements, one section per run, in a collapsed block."""
    measured = [s for s in revision.statements if s.contention is not None]
    if not measured:
        return []
    lines = ["<details><summary>Timeline (lock wait and hold against the application's waits)</summary>", "",
             "```mermaid", "gantt", f"    title {_mermaid_text(revision.revision)} under contention",
             "    dateFormat x", "    axisFormat %S.%L s"]
    for s in measured:
        for name, run in _runs(s):
            lines.append(f"    section {_mermaid_text(name)}")
            for what, start, end in _bars(run):
                tag = "crit, " if what == WAIT or what.startswith(BLOCKED) else "active, " if what == HOLD else ""
                # Whole milliseconds, at least one: Mermaid drops a bar of no length.
                begin = round(start * 1000)
                lines.append(f"    {_mermaid_text(what)} :{tag}{begin}, {max(round(end * 1000), begin + 1)}")
    lines += ["```", "", "</details>", ""]
    return lines


_COLOURS = {READER: "#9e9e9e", WAIT: "#d32f2f", HOLD: "#f57c00", BLOCKED: "#1976d2"}
_LANE, _LABEL, _WIDTH, _BAR = 16, 260, 640, 10


def svg(statements: list[tuple[str, ObservedStatement]]) -> str:
    """One SVG for every measured statement (``(revision, statement)``): a lane per bar, seconds on the x axis."""
    rows: list[tuple[str, str, float, float]] = []  # (label, what, from, to)
    for revision, s in statements:
        for name, run in _runs(s):
            title = f"{revision} {name}"
            for what, start, end in _bars(run):
                rows.append((title, what, start, end))
                title = ""
    horizon = max((end for *_, end in rows), default=1.0) or 1.0
    scale = _WIDTH / horizon
    height = _LANE * (len(rows) + 3)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{_LABEL + _WIDTH + 20}" height="{height}" '
           'font-family="sans-serif" font-size="11">',
           '<title>migsafe replay --contention: lock wait and hold against the application\'s waits</title>']
    for i, (title, what, start, end) in enumerate(rows):
        y = _LANE * (i + 1)
        colour = next(c for key, c in _COLOURS.items() if what.startswith(key))
        if title:
            out.append(f'<text x="4" y="{y + _BAR}" font-weight="bold">{escape(title)}</text>')
        width = max((end - start) * scale, 1.0)
        out.append(f'<rect x="{_LABEL + start * scale:.1f}" y="{y}" width="{width:.1f}" height="{_BAR}" '
                   f'fill="{colour}"><title>{escape(what)}: {start:.2f}-{end:.2f} s</title></rect>')
        out.append(f'<text x="{_LABEL + min(end * scale + 4, _WIDTH - 150):.1f}" y="{y + _BAR - 1}" '
                   f'fill="#333">{escape(what)}</text>')
    axis = _LANE * (len(rows) + 2)
    out.append(f'<line x1="{_LABEL}" y1="{axis}" x2="{_LABEL + _WIDTH}" y2="{axis}" stroke="#333"/>')
    for second in range(int(horizon) + 1):
        x = _LABEL + second * scale
        out.append(f'<text x="{x:.1f}" y="{axis + 12}" text-anchor="middle">{second} s</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"
