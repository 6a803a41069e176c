"""``migsafe replay --format json``: the statements replay observed, and findings shaped as in review."""

from __future__ import annotations

import json
from typing import Any

from migsafe.pg_locks import blocks
from migsafe.replay.run import ReplayReport
from migsafe.reporters import contention
from migsafe.reporters.json_reporter import as_dict as review_dict


def as_dict(result: ReplayReport) -> dict[str, Any]:
    report = result.report
    data = review_dict(report)
    for finding, item in zip(report.findings, data["findings"]):
        item["replay_status"] = finding.replay_status
        item["replay_detail"] = finding.replay_detail
    data["server"] = {"source": result.server, "version": result.server_version}
    data["replay_seconds"] = round(result.seconds, 3)
    data["revisions"] = [
        {"revision": r.revision, "path": report.display_path(r.path), "reviewed": r.reviewed, "error": r.error,
         "error_line": r.error_line, "seeded": r.seeded, "unseeded": r.unseeded, "table_rows": r.table_rows,
         "duration_ms": r.duration_ms}
        for r in result.revisions
    ]
    data["statements"] = [
        {
            "revision": s.revision,
            "path": report.display_path(s.path),
            "line": s.line,
            "sql": s.sql,
            "in_transaction": s.in_transaction,
            "observed": s.observed,
            "locks": [{"relation": lock.relation, "kind": lock.kind, "mode": lock.mode, "acquired": lock.acquired,
                       "existing": lock.existing} for lock in s.locks],
            "blocks": {
                "reads": any(blocks(lock.mode).reads for lock in s.locks if lock.existing),
                "writes": any(blocks(lock.mode).writes for lock in s.locks if lock.existing),
            },
            "rewrites": s.rewrites,
            "scans": s.scans,
            "created": s.created,
            "duration_ms": s.duration_ms,
            "lock_timeout": s.lock_timeout,
            "error": s.error,
            # replay --stats: the measured duration scaled to the table's production size (an extrapolation)
            "extrapolation": None if s.extrapolation is None else {
                "table": s.extrapolation.table, "measured_ms": s.extrapolation.measured_ms,
                "seeded_rows": s.extrapolation.seeded_rows, "production_rows": s.extrapolation.production_rows,
                "seconds_low": s.extrapolation.seconds_low, "seconds_high": s.extrapolation.seconds_high,
                "words": s.extrapolation.words()},
            # replay --contention: the lock queue it caused under a slow reader and an application load
            "contention": contention.as_dict(s.contention),
        }
        for r in result.revisions if r.reviewed for s in r.statements
    ]
    if result.contention is not None:
        options = result.contention
        data["contention"] = {"reader_seconds": options.reader_seconds, "app_rate": options.rate,
                              "app_connections": options.connections, "lock_timeout": options.lock_timeout,
                              "lock_timeout_source": options.lock_timeout_source, "unmeasured": result.unmeasured}
    return data


def render(result: ReplayReport, *, color: bool = False) -> str:
    return json.dumps(as_dict(result), indent=2) + "\n"
