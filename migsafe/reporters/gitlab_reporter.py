"""``--format gitlab``: a GitLab Code Quality report (``artifacts: reports: codequality:``).

A JSON array with one issue per finding and per revision that could not be loaded, carrying the fields GitLab
documents (https://docs.gitlab.com/ci/testing/code_quality/#code-quality-report-format): ``description``,
``check_name`` (the rule id), ``fingerprint`` (unique per issue, stable across commits:
:mod:`migsafe.reporters.fingerprints`), ``severity`` and ``location`` (``path`` relative to the repository
root, ``lines.begin``). GitLab shows them in the merge request's widget and, on paid tiers, on the diff.

Severities: GitLab has five (info, minor, major, critical, blocker) where migsafe has three. ``minor`` reads as
a style nit, and a migsafe warning (a dropped column that breaks running code) is more than that; an error
locks or rewrites a live table, or fails the deploy. A revision migsafe could not load was not reviewed at
all, and fails the job: ``blocker``.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from typing import Any

from migsafe.changes import relative_path
from migsafe.docs import DOCS_URL
from migsafe.report import Report
from migsafe.reporters.fingerprints import occurrence_fingerprints
from migsafe.reporters.github_reporter import report_root

SEVERITY = {"info": "info", "warning": "major", "error": "critical"}
LOAD_ERROR_SEVERITY = "blocker"


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "!", "?")) else text + "."


def as_list(report: Report) -> list[dict[str, Any]]:
    root = report_root(report)
    issues: list[dict[str, Any]] = []
    for f, fingerprint in zip(report.findings, occurrence_fingerprints(report.findings)):
        where = "In downgrade(): " if f.direction == "downgrade" else ""
        issues.append({
            "description": f"{where}{_sentence(f.text)} Fix: {f.fix}",
            "check_name": f.rule,
            "fingerprint": fingerprint,
            "severity": SEVERITY[f.severity],
            "location": {"path": relative_path(f.path, root),
                         "lines": {"begin": max(f.line, 1), "end": max(f.end_line, f.line, 1)}},
            # Code Climate fields GitLab ignores; kept for other consumers of the format.
            "type": "issue",
            "categories": ["Bug Risk"],
            "content": {"body": f"Revision {f.revision}. Docs: {DOCS_URL.format(id=f.rule)}"},
        })
    # A load error is an issue too: the job fails on it, and the widget should say where. One without a file
    # (a broken revision graph) has no location GitLab can show: it is in the job log and the exit code.
    seen: Counter[str] = Counter()
    for e in report.errors:
        if e.path is None:
            continue
        path = relative_path(e.path, root)
        key = "\0".join((e.kind, path, e.revision or "", e.direction))
        index = seen[key]
        seen[key] += 1
        issues.append({
            "description": f"{_sentence(e.message)} migsafe could not review this revision.",
            "check_name": e.kind,
            "fingerprint": hashlib.sha256(f"{key}:{index}".encode("utf-8")).hexdigest()[:32],
            "severity": LOAD_ERROR_SEVERITY,
            "location": {"path": path, "lines": {"begin": max(e.line or 1, 1)}},
            "type": "issue",
            "categories": ["Bug Risk"],
        })
    return issues


def render(report: Report, *, color: bool = False) -> str:
    return json.dumps(as_list(report), indent=2, ensure_ascii=False) + "\n"
