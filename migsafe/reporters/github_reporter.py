"""``--format github``: GitHub Actions workflow commands, one annotation per finding, load error and note.

Each finding becomes ``::error file=…,line=…,endLine=…,title=…::message`` (``::warning`` / ``::notice`` for
the lower severities). Paths are relative to the repository root (the git top level of the reviewed project,
else the current directory), which is where GitHub resolves them when it puts the annotation on the pull
request's diff. The last lines are a plain summary and the assumptions, which GitHub shows as log text.
"""

from __future__ import annotations

from pathlib import Path

from migsafe.changes import project_root, relative_path
from migsafe.docs import DOCS_URL
from migsafe.report import Report

COMMAND = {"error": "error", "warning": "warning", "info": "notice"}


def escape_data(text: str) -> str:
    """Escape a workflow command's message as the GitHub Actions runner expects."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """Escape a workflow command property value (``file``, ``title``, ...): also ``:`` and ``,``."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def report_paths(report: Report) -> list[Path]:
    """Every path the report mentions, findings first: the reviewed project's files."""
    return ([f.path for f in report.findings] + [e.path for e in report.errors if e.path is not None]
            + [n.path for n in report.notes if n.path is not None])


def report_root(report: Report) -> Path:
    return project_root(report_paths(report), report.cwd)


def command(kind: str, message: str, **properties: object) -> str:
    props = ",".join(f"{key}={escape_property(str(value))}" for key, value in properties.items()
                     if value is not None)
    return f"::{kind}{' ' + props if props else ''}::{escape_data(message)}"


def render(report: Report, *, color: bool = False) -> str:
    root = report_root(report)
    lines = []
    for f in report.findings:
        message = f"{f.text}\n\nFix: {f.fix}\n\nRevision {f.revision}. Docs: {DOCS_URL.format(id=f.rule)}"
        lines.append(command(COMMAND[f.severity], message, file=relative_path(f.path, root), line=f.line,
                             endLine=max(f.end_line, f.line), title=f"migsafe: {f.rule}"
                             + (" (downgrade)" if f.direction == "downgrade" else "")))
    for e in report.errors:
        lines.append(command("error", f"{e.message}\n\nmigsafe could not review this revision.",
                             file=relative_path(e.path, root) if e.path is not None else None,
                             line=e.line if e.path is not None else None, title=f"migsafe: {e.kind}"))
    # Notes are annotations too: a review that stopped short is a warning (part of the revision was not
    # checked); the rest (data-dependent code, unused ignore comments, statements not understood) are notices.
    for note in report.notes:
        incomplete = note.kind in ("partial", "partial-stop")
        title = "migsafe: partial review" if note.kind == "partial" else f"migsafe: {note.kind}"
        lines.append(command("warning" if incomplete else "notice", note.message,
                             file=relative_path(note.path, root) if note.path else None,
                             line=note.line if note.path else None, title=title))
    lines.append(f"migsafe: {report.summary_line()}")
    lines.append(f"migsafe: assumed {report.assumptions_line}")
    return "\n".join(lines) + "\n"
