"""``migsafe review --statistics``: how many findings each rule has, instead of the findings (like ruff's
``--statistics``). For a first look at a long history, or to track a count over time in CI.

Rules are ordered by count, most first (ties by rule id); only rules with findings are listed. The exit code
is the review's, so a statistics run fails a CI step exactly when a normal one would.
"""

from __future__ import annotations

import json
from collections import Counter

from rich.text import Text

from migsafe.report import SEVERITY_ORDER, Report
from migsafe.reporters.text_reporter import summary_rows, to_string
from migsafe.reporters.wrap import DEFAULT_WIDTH, wrap

SCHEMA_VERSION = 1
_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}


def rule_counts(report: Report) -> dict[str, int]:
    """Findings per rule id, most first, ties by id."""
    counts = Counter(f.rule for f in report.findings)
    return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))


def _severities(report: Report, rule: str) -> list[str]:
    """The severities a rule's findings have, most severe first (one unless a rule grades its findings)."""
    found = {f.severity for f in report.findings if f.rule == rule}
    return sorted(found, key=lambda s: -SEVERITY_ORDER[s])


def as_dict(report: Report) -> dict[str, object]:
    return {
        "schema_version": SCHEMA_VERSION,
        "rules": rule_counts(report),
        "by_severity": report.counts,
        "findings": len(report.findings),
        "errors": len(report.errors),
        "baselined": report.baselined,
        "revisions_reviewed": report.revisions_reviewed,
    }


def render_json(report: Report) -> str:
    return json.dumps(as_dict(report), indent=2) + "\n"


def render_text(report: Report, *, color: bool = False, width: int = DEFAULT_WIDTH) -> str:
    """One row per rule: the count, the rule id, its severity; then the review's summary and assumptions."""
    rows: list[Text] = []
    counts = rule_counts(report)
    if counts:
        count_width = len(str(max(counts.values())))
        id_width = max(len(rule) for rule in counts)
        for rule, count in counts.items():
            row = Text.assemble(f"{count:>{count_width}}  ", (f"{rule:<{id_width}}", "bold"), "  ")
            for number, level in enumerate(_severities(report, rule)):
                row.append((", " if number else "") + level, style=_STYLE[level])
            rows.append(wrap(row, width, " " * (count_width + 2)))
        rows.append(Text())
    return to_string(rows + summary_rows(report, width), color, width)
