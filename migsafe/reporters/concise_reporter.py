"""``--format concise``: one line per finding, ``path:line: severity rule-id message`` (like ruff's concise).

For grep, editors' quickfix lists and narrow CI logs read line by line: no wrapping (a line is a record, so it
is exempt from the terminal's width), no source line, no fix (``migsafe explain <rule-id>`` has it).
Problems and notes follow the same shape with ``error KIND`` and ``note KIND``; then the summary and the
assumptions, as in ``text``.
"""

from __future__ import annotations

from rich.text import Text

from migsafe.report import Report
from migsafe.reporters.text_reporter import direction, location, to_string

_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan", "note": "dim"}


def _one_line(text: str) -> str:
    """Messages may span lines (a load error's traceback summary): a record is one line."""
    return " ".join(text.split())


def render(report: Report, *, color: bool = False) -> str:
    def record(where: str, level: str, kind: str, message: str) -> Text:
        return Text.assemble(where, (level, _STYLE[level]), " ", (kind, "bold"), " ", _one_line(message))

    rows = [record(location(report, f.path, f.line), f.severity, f.rule + direction(f), f.text)
            for f in report.findings]
    rows += [record(location(report, e.path, e.line), "error", e.kind + direction(e), e.message)
             for e in report.errors]
    rows += [record(location(report, n.path, n.line), "note", n.kind, n.message) for n in report.notes]
    summary = report.summary_line()
    if report.baselined:
        summary += f"; {report.baselined} known finding{'s' if report.baselined != 1 else ''} left out (baseline)"
    rows += [Text(summary), Text(f"assumed: {report.assumptions_line}", style="dim")]
    return to_string(rows, color)
