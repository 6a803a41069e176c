"""``--format markdown``: a summary for a pull-request comment or ``$GITHUB_STEP_SUMMARY``.

Counts by rule, a table of findings (``file:line`` linked, what PostgreSQL will do, the fix), the revisions
that could not be reviewed, notes folded away, and the assumptions. Links are relative to the repository
root, or absolute blob links (``…/blob/<sha>/<path>#L<line>``) when ``GITHUB_SERVER_URL``,
``GITHUB_REPOSITORY`` and ``GITHUB_SHA`` are set, as they are in GitHub Actions.
"""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path
from urllib.parse import quote

from migsafe.changes import relative_path
from migsafe.docs import DOCS_URL
from migsafe.report import SEVERITY_ORDER, Report
from migsafe.reporters.github_reporter import report_root


def cell(text: str) -> str:
    """Text made safe for a table cell (and harmless outside one)."""
    return " ".join(text.replace("|", "\\|").replace("<", "&lt;").split())


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def blob_base() -> str | None:
    server, repository, sha = (os.environ.get(name, "").strip().rstrip("/")
                               for name in ("GITHUB_SERVER_URL", "GITHUB_REPOSITORY", "GITHUB_SHA"))
    if server and repository and sha:
        return f"{server}/{repository}/blob/{sha}/"
    return None


def link(path: Path | None, line: int | None, root: Path, base: str | None) -> str:
    """``[`path:line`](target)``: relative to the repository root, or a blob link on GitHub."""
    if path is None:
        return ""
    relative = relative_path(path, root)
    label = f"`{cell(relative)}{f':{line}' if line else ''}`"
    if not path.resolve().is_relative_to(root):
        return label
    target = (base or "") + quote(relative) + (f"#L{line}" if line else "")
    return f"[{label}]({target})"


def render(report: Report, *, color: bool = False) -> str:
    root = report_root(report)
    base = blob_base()
    counts = report.counts
    lines = ["## migsafe", ""]
    reviewed = _plural(report.revisions_reviewed, "revision")
    if report.findings:
        lines.append(f"**{_plural(len(report.findings), 'finding')}** ({counts['error']} error, "
                     f"{counts['warning']} warning, {counts['info']} info) in {reviewed}."
                     + (f" **{_plural(len(report.errors), 'problem')}** stopped migsafe from reviewing everything."
                        if report.errors else ""))
    else:
        lines.append(f"No findings in {reviewed}."
                     + (f" **{_plural(len(report.errors), 'problem')}** stopped migsafe from reviewing everything."
                        if report.errors else ""))
    lines.append("")
    if report.findings:
        by_rule = Counter(f.rule for f in report.findings)
        severities: dict[str, set[str]] = {}
        for f in report.findings:
            severities.setdefault(f.rule, set()).add(f.severity)
        lines += ["| rule | severity | findings |", "|---|---|---:|"]
        for rule, count in sorted(by_rule.items(), key=lambda item: (-item[1], item[0])):
            levels = ", ".join(sorted(severities[rule], key=lambda s: -SEVERITY_ORDER[s]))
            lines.append(f"| [`{rule}`]({DOCS_URL.format(id=rule)}) | {levels} | {count} |")
        lines += ["", "### Findings", "",
                  "| where | rule | severity | what happens | fix |", "|---|---|---|---|---|"]
        for f in report.findings:
            lines.append(f"| {link(f.path, f.line, root, base)} | [`{f.rule}`]({DOCS_URL.format(id=f.rule)})"
                         f"{' (downgrade)' if f.direction == 'downgrade' else ''} | "
                         f"{f.severity} | {cell(f.text)} | {cell(f.fix)} |")
        lines.append("")
    if report.errors:
        lines += ["### Could not be reviewed", ""]
        for e in report.errors:
            where = link(e.path, e.line, root, base)
            lines.append(f"- {where + ' ' if where else ''}**{e.kind}**: {cell(e.message)}")
        lines.append("")
    partial = [n for n in report.notes if n.kind == "partial"]
    if partial:
        lines += ["### Partial reviews", ""]
        for n in partial:
            where = link(n.path, n.line, root, base)
            lines.append(f"- {where + ' ' if where else ''}{cell(n.message)}")
        lines.append("")
    if report.notes:
        lines += [f"<details><summary>{_plural(len(report.notes), 'note')}</summary>", ""]
        for n in report.notes:
            where = link(n.path, n.line, root, base)
            lines.append(f"- {where + ' ' if where else ''}({n.kind}) {cell(n.message)}")
        lines += ["", "</details>", ""]
    lines.append(f"_Assumed {report.assumptions_line}._")
    return "\n".join(lines) + "\n"
