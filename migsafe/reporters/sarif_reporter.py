"""``--format sarif``: SARIF 2.1.0, for GitHub code scanning (``github/codeql-action/upload-sarif``).

The tool driver lists every rule (not only the selected ones) with its descriptions, its documentation page
as help text and ``helpUri``, and its default level. Each finding is a result with a physical location
relative to the repository root (``uriBaseId`` ``%SRCROOT%``) and ``partialFingerprints`` that follow it
across commits (:mod:`migsafe.reporters.fingerprints`). Revisions that could not be reviewed are tool
execution notifications of the run's invocation, which is then not successful.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import quote

from migsafe import __version__
from migsafe.changes import relative_path
from migsafe.docs import DOCS_URL, rule_doc
from migsafe.report import Report
from migsafe.reporters.fingerprints import SARIF_KEY, occurrence_fingerprints
from migsafe.reporters.github_reporter import report_root
from migsafe.rules import Rule, all_rules

SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
INFORMATION_URI = "https://github.com/migsafe/migsafe"
SRCROOT = "%SRCROOT%"
LEVEL = {"error": "error", "warning": "warning", "info": "note"}


def rule_descriptor(rule: Rule) -> dict[str, Any]:
    doc = rule_doc(rule.id) or f"# {rule.id}\n\n{rule.summary}.\n\nSafe way: {rule.fix}\n"
    return {
        "id": rule.id,
        "name": "".join(part.capitalize() for part in rule.id.split("-")),
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": f"{rule.summary}. Safe way: {rule.fix}"},
        "help": {"text": doc, "markdown": doc},
        "helpUri": DOCS_URL.format(id=rule.id),
        "defaultConfiguration": {"level": LEVEL[rule.severity]},
        "properties": {"tags": ["postgresql", "alembic", "migration"]},
    }


def _location(path: Path, line: int | None, end_line: int | None, root: Path) -> dict[str, Any]:
    if path.resolve().is_relative_to(root):
        artifact: dict[str, Any] = {"uri": quote(relative_path(path, root)), "uriBaseId": SRCROOT}
    else:  # outside the repository root: an absolute file URI, no base
        artifact = {"uri": path.resolve().as_uri()}
    physical: dict[str, Any] = {"artifactLocation": artifact}
    if line is not None and line > 0:
        physical["region"] = {"startLine": line, "endLine": max(end_line or line, line)}
    return {"physicalLocation": physical}


def as_dict(report: Report) -> dict[str, Any]:
    root = report_root(report)
    rules = list(all_rules())
    index = {rule.id: i for i, rule in enumerate(rules)}
    descriptors = [rule_descriptor(rule) for rule in rules]
    results = []
    for f, tracked in zip(report.findings, occurrence_fingerprints(report.findings)):
        if f.rule not in index:  # not a review rule (should not happen): still describe it
            index[f.rule] = len(descriptors)
            descriptors.append({"id": f.rule, "helpUri": DOCS_URL.format(id=f.rule)})
        results.append({
            "ruleId": f.rule,
            "ruleIndex": index[f.rule],
            "level": LEVEL[f.severity],
            # A rollback's finding sits on the same file as the upgrade's: say which function it is in.
            "message": {"text": ("In downgrade(): " if f.direction == "downgrade" else "")
                                + f"{f.text}\nFix: {f.fix}"},
            "locations": [_location(f.path, f.line, f.end_line, root)],
            # Code scanning tracks an alert across commits by this (it would otherwise hash the line's text).
            "partialFingerprints": {SARIF_KEY: tracked},
            "properties": {"revision": f.revision, "sql": f.sql, "direction": f.direction},
        })
    notifications = [
        {
            "level": "error",
            "message": {"text": e.message},
            "descriptor": {"id": e.kind},
            **({"locations": [_location(e.path, e.line, e.line, root)]} if e.path is not None else {}),
        }
        for e in report.errors
    ] + [
        {
            "level": "warning",
            "message": {"text": n.message},
            "descriptor": {"id": "partial-review"},
            **({"locations": [_location(n.path, n.line, n.line, root)]} if n.path is not None else {}),
        }
        for n in report.notes if n.kind == "partial"
    ]
    invocation: dict[str, Any] = {"executionSuccessful": not report.errors}
    if notifications:
        invocation["toolExecutionNotifications"] = notifications
    return {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "migsafe",
                "version": __version__,
                "semanticVersion": __version__,
                "informationUri": INFORMATION_URI,
                "rules": descriptors,
            }},
            "invocations": [invocation],
            "results": results,
            "properties": {
                "assumptions": {
                    "pg_version": report.pg_version,
                    "transaction_model": report.transaction_model,
                    "transaction_model_description": report.transaction_description,
                    "deploy": report.deploy,
                    "deploy_description": report.deploy_description,
                    "driver": report.driver.name,
                    "driver_description": report.driver.description,
                    "config_file": report.display_path(report.config_file) if report.config_file else None,
                },
                "revisions_reviewed": report.revisions_reviewed,
            },
        }],
    }


def render(report: Report, *, color: bool = False) -> str:
    return json.dumps(as_dict(report), indent=2) + "\n"
