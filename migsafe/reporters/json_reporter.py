"""``--format json``: a stable, versioned object for machines."""

from __future__ import annotations

import json
from typing import Any

from migsafe import __version__
from migsafe.report import Finding, Report

SCHEMA_VERSION = 1


def as_dict(report: Report) -> dict[str, Any]:
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "migsafe", "version": __version__},
        "assumptions": {
            "pg_version": report.pg_version,
            "transaction_model": report.transaction_model,
            "transaction_model_source": report.transaction_model_source,
            "transaction_model_description": report.transaction_description,
            "deploy": report.deploy,
            "deploy_description": report.deploy_description,
            "driver": report.driver.name,
            "driver_source": report.driver.source,
            "driver_description": report.driver.description,
            "config_file": report.display_path(report.config_file) if report.config_file else None,
        },
        "findings": [_finding(report, f) for f in report.findings],
        "errors": [
            {"kind": e.kind, "path": report.display_path(e.path) if e.path else None, "line": e.line,
             "revision": e.revision, "message": e.message, "direction": e.direction}
            for e in report.errors
        ],
        "notes": [
            {"kind": n.kind, "path": report.display_path(n.path) if n.path else None, "line": n.line,
             "revision": n.revision, "message": n.message}
            for n in report.notes
        ],
        "partial": [
            {"revision": r.revision, "path": report.display_path(r.path), "stubbed": list(r.stubbed),
             "stubbed_calls": [{"name": name, "line": line} for name, line in r.stub_calls]}
            for r in report.partial
        ],
        "summary": {
            "revisions_reviewed": report.revisions_reviewed,
            "revisions_loaded": report.revisions_loaded,
            "findings": len(report.findings),
            "by_severity": report.counts,
            "errors": len(report.errors),
            "notes": len(report.notes),
            "partial": len(report.partial),
            "baselined": report.baselined,
        },
    }


def _finding(report: Report, f: Finding) -> dict[str, Any]:
    data: dict[str, Any] = {
        "rule": f.rule,
        "severity": f.severity,
        "path": report.display_path(f.path),
        "line": f.line,
        "end_line": f.end_line,
        "revision": f.revision,
        "message": f.text,
        "fix": f.fix,
        "sql": f.sql,
        "direction": f.direction,
    }
    # Optional, only with a stats snapshot (review --stats, docs/stats.md): a review without one is unchanged.
    if f.table_size is not None:
        data["table"] = {"schema": f.table.schema, "name": f.table.name} if f.table is not None else None
        data["table_size"] = {"rows": f.table_size.rows, "bytes": f.table_size.bytes,
                              "table_bytes": f.table_size.table_bytes, "index_bytes": f.table_size.index_bytes}
    if f.estimate is not None:
        data["estimate"] = {"seconds_low": f.estimate.seconds_low, "seconds_high": f.estimate.seconds_high,
                            "basis": f.estimate.basis}
    if f.severity_reason:
        data["severity_reason"] = f.severity_reason
    return data


def render(report: Report, *, color: bool = False) -> str:
    data = as_dict(report)
    if report.fixed_files is not None:  # review --fix: the state after fixing, and the files it changed
        data["fixed_files"] = [report.display_path(path) for path in report.fixed_files]
    return json.dumps(data, indent=2) + "\n"
