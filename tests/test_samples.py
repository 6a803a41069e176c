"""The sample projects in sample_migrations/: the clean one stays clean, the dangerous one shows every rule.

The rule list is read from ``all_rules()``, so a new rule is expected to fire somewhere in the dangerous sample
as soon as it is added (add its bad pattern there in the same change).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from migsafe.engine import ReviewOptions, review
from migsafe.report import Report
from migsafe.rules import all_rules

ROOT = Path(__file__).resolve().parent.parent
CLEAN = ROOT / "sample_migrations" / "clean"
DANGEROUS = ROOT / "sample_migrations" / "dangerous"

# Call sites a finding may point at: an Alembic operation, a batch operation, or SQL run on the bind (directly,
# or through an ORM session bound to it).
CALL_MARKERS = ("op.", "batch_op.", "conn.", "session.")


def _describe(report: Report) -> str:
    lines = [f"{e.kind}: {e.path}:{e.line}: {e.message}" for e in report.errors]
    lines += [f"{f.rule}: {f.path}:{f.line}: {f.message}" for f in report.findings]
    return "\n".join(lines)


@pytest.fixture(scope="module")
def clean_report() -> Report:
    return review(ReviewOptions(paths=[CLEAN], cwd=ROOT))


@pytest.fixture(scope="module")
def dangerous_report() -> Report:
    return review(ReviewOptions(paths=[DANGEROUS], cwd=ROOT))


def test_clean_sample_has_no_findings(clean_report: Report) -> None:
    assert clean_report.errors == [], _describe(clean_report)
    assert clean_report.findings == [], _describe(clean_report)
    assert clean_report.exit_code() == 0
    assert clean_report.revisions_reviewed >= 8


def test_clean_sample_is_fully_understood(clean_report: Report) -> None:
    # Every statement was parsed and every ignore comment is used: "clean" is not "not looked at".
    notes = [f"{n.kind}: {n.path}:{n.line}: {n.message}" for n in clean_report.notes
             if n.kind in ("unparsed-statement", "unused-ignore")]
    assert notes == []


def test_dangerous_sample_loads(dangerous_report: Report) -> None:
    assert dangerous_report.errors == [], _describe(dangerous_report)
    assert dangerous_report.revisions_reviewed >= 15
    assert dangerous_report.exit_code() == 1


# Rules that only speak for particular PostgreSQL versions, and the version to judge the sample for then
# (the sample is otherwise judged for the default, 15).
VERSION_SPECIFIC = {"concurrent-index-pg14-bug": "14.2"}


@pytest.mark.parametrize("rule_id", [rule.id for rule in all_rules()])
def test_dangerous_sample_triggers_every_rule(dangerous_report: Report, rule_id: str) -> None:
    if rule_id in VERSION_SPECIFIC:
        dangerous_report = review(ReviewOptions(paths=[DANGEROUS], cwd=ROOT, pg_version=VERSION_SPECIFIC[rule_id]))
    fired = sorted({f.rule for f in dangerous_report.findings})
    assert rule_id in fired, (
        f"no finding of {rule_id} in sample_migrations/dangerous (fired: {', '.join(fired)}); "
        "add a revision with the rule's bad pattern there")


def test_dangerous_sample_findings_point_at_calls(dangerous_report: Report) -> None:
    offending = []
    for finding in dangerous_report.findings:
        lines = finding.path.read_text(encoding="utf-8").splitlines()
        text = lines[finding.line - 1] if 0 < finding.line <= len(lines) else ""
        if not any(marker in text for marker in CALL_MARKERS):
            offending.append(f"{finding.rule}: {finding.path.name}:{finding.line}: {text.strip()!r}")
    assert offending == [], "findings that do not point at an op./batch_op./conn. call:\n" + "\n".join(offending)


def test_dangerous_sample_suppression_is_used(dangerous_report: Report) -> None:
    # The sample shows `# migsafe: ignore[...]` in action: the comment must suppress something ...
    unused = [f"{n.path}:{n.line}: {n.message}" for n in dangerous_report.notes if n.kind == "unused-ignore"]
    assert unused == []
    # ... namely the drop of legacy_zendesk_id, while the drop of twitter_handle next to it is reported.
    drops = [f.message for f in dangerous_report.findings if f.rule == "drop-column"]
    assert any("twitter_handle" in m for m in drops), drops
    assert not any("legacy_zendesk_id" in m for m in drops), drops


def _run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "migsafe", "review", *args],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )


def test_cli_on_dangerous_sample_fails_with_findings() -> None:
    result = _run_cli("sample_migrations/dangerous", "--no-color")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "findings (" in result.stdout
    assert "sample_migrations/dangerous/migrations/versions/" in result.stdout
    for rule in all_rules():
        if rule.id not in VERSION_SPECIFIC:
            assert rule.id in result.stdout


def test_cli_json_on_dangerous_sample() -> None:
    result = _run_cli("sample_migrations/dangerous", "--format", "json")
    assert result.returncode == 1, result.stderr
    data = json.loads(result.stdout)
    assert data["errors"] == []
    assert data["summary"]["findings"] == len(data["findings"]) > 0
    assert {f["rule"] for f in data["findings"]} >= {rule.id for rule in all_rules()} - set(VERSION_SPECIFIC)
    assert all(f["path"].startswith("sample_migrations/dangerous/") for f in data["findings"])


def test_cli_on_clean_sample_passes() -> None:
    result = _run_cli("sample_migrations/clean")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 findings" in result.stdout


def test_dangerous_sample_index_after_a_bare_commit_fails_with_its_driver(dangerous_report: Report) -> None:
    # alembic.ini names psycopg (3): after op.execute("COMMIT") it opens a new transaction, and replay shows the
    # CREATE INDEX CONCURRENTLY failing there.
    assert (dangerous_report.driver.name, dangerous_report.driver.source) == ("psycopg", "alembic.ini")
    hits = [(f.rule, f.line) for f in dangerous_report.findings if f.path.name.endswith("denormalize_workspace_onto_"
                                                                                         "ticket_comments.py")]
    assert ("bare-commit", 35) in hits and ("concurrent-index-in-transaction", 36) in hits


def test_dangerous_sample_findings_are_the_same_on_every_supported_sqlalchemy(dangerous_report: Report) -> None:
    # The README's test command runs this on SQLAlchemy 2.x and again on 1.4 (tests/oldest-supported.txt): both
    # must give exactly these findings. Written from a 2.x review; when a rule change alters the sample's findings,
    # regenerate it from `migsafe review sample_migrations/dangerous --format json` on 2.x.
    expected = json.loads((Path(__file__).parent / "data" / "dangerous_sample_findings.json").read_text())
    found = sorted({(f.rule, f.path.name, f.line, f.message) for f in dangerous_report.findings})
    assert [list(row) for row in found] == expected
