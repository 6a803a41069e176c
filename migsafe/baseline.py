"""The baseline: the findings a project accepts today, so that reviews report only new ones.

A finding is known by its fingerprint: the rule, the revision id, the direction and the statement, normalized
by pglast's fingerprint (formatting, comments and constants do not count; names do). Line numbers are not part
of it, so edits elsewhere in the file or new revisions do not disturb it; fixing the statement makes the entry
stale. Identical statements in one revision are counted.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from migsafe.errors import UsageError
from migsafe.model import Note
from migsafe.report import Finding, Report

DEFAULT_NAME = ".migsafe-baseline.json"
VERSION = 1


def normalized_sql(sql: str) -> str:
    text = " ".join(sql.split())
    if not text:
        return ""
    try:
        import pglast

        return "pg:" + pglast.fingerprint(text)
    except Exception:  # noqa: BLE001 - not SQL pglast reads: fall back to the text, whitespace-collapsed
        return "text:" + text.lower()


def fingerprint(finding: Finding) -> str:
    statement = normalized_sql(finding.sql) or "message:" + finding.message
    key = "\0".join((finding.rule, finding.revision, finding.direction, statement))
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]


@dataclass
class Entry:
    fingerprint: str
    rule: str
    revision: str
    direction: str
    path: str
    message: str
    count: int = 1


def _relative(path: Path, base: Path) -> str:
    try:
        return path.resolve().relative_to(base.resolve()).as_posix()
    except ValueError:
        return path.resolve().as_posix()


def entries_for(findings: list[Finding], base: Path) -> list[Entry]:
    entries: dict[str, Entry] = {}
    for finding in findings:
        fp = fingerprint(finding)
        if fp in entries:
            entries[fp].count += 1
            continue
        message = finding.message if len(finding.message) <= 100 else finding.message[:99] + "…"
        entries[fp] = Entry(fingerprint=fp, rule=finding.rule, revision=finding.revision,
                            direction=finding.direction, path=_relative(finding.path, base), message=message)
    return sorted(entries.values(), key=lambda e: (e.path, e.revision, e.direction, e.rule, e.fingerprint))


def write(findings: list[Finding], target: Path) -> int:
    """Write the baseline file for ``findings``; paths in it are relative to its directory. Returns the number
    of findings it holds."""
    entries = entries_for(findings, target.parent)
    data = {
        "migsafe_baseline": VERSION,
        "comment": "Findings accepted when this file was written (`migsafe baseline`); reviews report only "
                   "new ones. Regenerate it after fixing findings to drop stale entries.",
        "entries": [
            {"fingerprint": e.fingerprint, "rule": e.rule, "revision": e.revision, "direction": e.direction,
             "path": e.path, "count": e.count, "message": e.message}
            for e in entries
        ],
    }
    try:
        target.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"{target}: cannot write the baseline: {exc.strerror or exc}") from None
    return sum(e.count for e in entries)


def load(path: Path) -> list[Entry]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise UsageError(f"{path}: cannot read the baseline: {exc.strerror or exc}") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise UsageError(f"{path}: not a migsafe baseline file (invalid JSON: {exc})") from None
    if not isinstance(data, dict) or data.get("migsafe_baseline") != VERSION \
            or not isinstance(data.get("entries"), list):
        raise UsageError(f"{path}: not a migsafe baseline file (version {VERSION}); write one with "
                         "`migsafe baseline`")
    entries = []
    for number, item in enumerate(data["entries"], start=1):
        try:
            if not isinstance(item, dict):
                raise TypeError
            count = item.get("count", 1)
            if not isinstance(count, int) or isinstance(count, bool) or count < 1:
                raise TypeError
            entry = Entry(fingerprint=_text(item["fingerprint"]), rule=_text(item["rule"]),
                          revision=_text(item["revision"]), direction=_text(item.get("direction", "upgrade")),
                          path=_text(item.get("path", "")), message=_text(item.get("message", "")), count=count)
        except (KeyError, TypeError):
            raise UsageError(f"{path}: baseline entry {number} is malformed (needs fingerprint, rule, revision "
                             "and a positive count)") from None
        entries.append(entry)
    return entries


def _text(value: object) -> str:
    if not isinstance(value, str):
        raise TypeError
    return value


def apply(report: Report, entries: list[Entry], baseline_file: Path, reviewed: set[tuple[str, str]],
          active_rules: set[str]) -> None:
    """Drop the findings the baseline knows; note its entries that match nothing in what was reviewed
    (``reviewed``: (revision, direction) pairs reviewed without a load error)."""
    remaining = Counter({e.fingerprint: e.count for e in entries})
    kept = []
    for finding in report.findings:
        fp = fingerprint(finding)
        if remaining[fp] > 0:
            remaining[fp] -= 1
            report.baselined += 1
        else:
            kept.append(finding)
    report.findings = kept
    for entry in entries:
        left = remaining[entry.fingerprint]
        if left <= 0 or (entry.revision, entry.direction) not in reviewed or entry.rule not in active_rules:
            continue
        what = f"{entry.rule}{' (downgrade)' if entry.direction == 'downgrade' else ''}"
        times = f" ({left} of {entry.count})" if entry.count > 1 else ""
        report.notes.append(Note(
            kind="stale-baseline",
            message=f"baseline entry for {what} in revision {entry.revision}{times} matches no finding any more "
                    f"(fixed?): {entry.message}; run `migsafe baseline` to drop it",
            path=baseline_file, line=None, revision=entry.revision))
