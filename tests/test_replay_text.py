"""`migsafe replay`'s text report fits the terminal's width without breaking a word (no server needed: the
report is built here, from what replay observed on the dangerous sample)."""

from __future__ import annotations

from pathlib import Path

import pytest
from rich.cells import cell_len

from migsafe.replay.model import LockObservation, ObservedStatement, ReplayedRevision
from migsafe.replay.run import ReplayReport
from migsafe.report import Finding, Report
from migsafe.reporters.fit import column_widths, fold_path
from migsafe.reporters.replay_text import render

VERSIONS = "sample_migrations/dangerous/migrations/versions"
CREATE = "2024_01_08_0914-c4e1a7f3b902_create_organizations_agents_and_.py"
RENAME = "2024_10_07_0931-5e7b3c9a2d16_rename_normal_priority_to_medium_and_.py"
LONGEST_NAME = "ix_tickets_assignee_id_status_not_closed_by_organization_and_day"[:63]  # PostgreSQL's longest
TRUNCATED = ["ix_tickets_assignee_id", "ix_tickets_assignee_id_status_not_closed", "ix_tickets_organization_id",
             "pk_sla_policies", "pk_ticket_comments", "pk_ticket_tags", "pk_tickets", "sla_policies",
             "ticket_comments", "ticket_tags", "tickets"]


def _lock(relation: str, mode: str = "AccessExclusiveLock", existing: bool = True, kind: str = "table"):
    return LockObservation(relation=relation, kind=kind, mode=mode, acquired=True, existing=existing)


def _statement(path: Path, line: int, sql: str, **fields: object) -> ObservedStatement:
    return ObservedStatement(revision=path.stem[16:28], path=path, line=line, end_line=line, sql=sql,
                             in_transaction=True, duration_ms=1.7, **fields)  # type: ignore[arg-type]


def _result(cwd: Path) -> ReplayReport:
    create, rename = cwd / VERSIONS / CREATE, cwd / VERSIONS / RENAME
    organizations = _statement(
        create, 24, "CREATE TABLE organizations ( id SERIAL NOT NULL, name VARCHAR(200) NOT NULL, slug "
                    "VARCHAR(80) NOT NULL, CONSTRAINT pk_organizations PRIMARY KEY (id) )",
        locks=[_lock("organizations", existing=False), _lock("pk_organizations", existing=False, kind="index")])
    agents = _statement(
        create, 33, "CREATE TABLE agents ( id SERIAL NOT NULL, organization_id INTEGER NOT NULL )",
        locks=[_lock(name, existing=False, kind="table" if name == "agents" else "index")
               for name in ("agents", "pk_agents", "uq_agents_organization_id_email")])
    ticket_priority = _statement(rename, 24, "ALTER TYPE ticket_priority RENAME VALUE 'normal' TO 'medium'")
    truncate = _statement(
        rename, 27, "TRUNCATE sla_policies CASCADE",
        locks=[_lock(name, kind="index" if name.startswith(("ix_", "pk_")) else "table") for name in TRUNCATED],
        existing_rewrites=list(TRUNCATED), existing_scans=["ticket_tags", "tickets", "ticket_comments"])
    failing = _statement(rename, 30, "ALTER TABLE tickets ALTER COLUMN assignee_id SET NOT NULL",
                         locks=[_lock("tickets")], existing_scans=["tickets"],
                         error='column "assignee_id" of relation "tickets" contains null values')
    longest = _statement(rename, 36, f"CREATE INDEX {LONGEST_NAME} ON tickets (assignee_id, status)",
                         locks=[_lock("tickets", "ShareLock"), _lock(LONGEST_NAME, existing=False, kind="index")])
    report = Report(cwd=cwd, findings=[
        Finding(rule="truncate-table", severity="error", message="", fix="", path=rename, line=27, end_line=27,
                revision="5e7b3c9a2d16", replay_status="confirmed",
                replay_detail="AccessExclusiveLock on sla_policies; AccessExclusiveLock on ticket_comments; "
                              "rewrote ix_tickets_assignee_id_status_not_closed; scanned ticket_tags")])
    return ReplayReport(report=report, server="local cluster /tmp/migsafe-pg-0zkh5764", revisions=[
        ReplayedRevision(revision="c4e1a7f3b902", path=create, reviewed=True, statements=[organizations, agents]),
        ReplayedRevision(revision="5e7b3c9a2d16", path=rename, reviewed=True,
                         statements=[ticket_priority, truncate, failing, longest],
                         seeded={"tickets": 300, "ticket_comments": 300}, error=failing.error, error_line=30),
    ])


def _words(text: str) -> set[str]:
    return {word.strip(",;:()") for word in text.split()} - {""}


def _content_words(result: ReplayReport) -> set[str]:
    """Every word replay observed that the report shows (the statements' SQL up to where it is shortened)."""
    words: set[str] = set()
    for revision in result.revisions:
        for s in revision.statements:
            words |= _words(s.sql[:50].rpartition(" ")[0] if len(s.sql) > 60 else s.sql)
            words |= _words(s.error or "")
            words |= {lock.relation for lock in s.locks} | set(s.existing_rewrites) | set(s.existing_scans)
    for finding in result.report.findings:
        words |= _words(finding.replay_detail)
    return words


@pytest.mark.parametrize("width", [80, 120])
def test_no_line_is_wider_than_the_terminal_and_no_word_is_broken(tmp_path, width):
    result = _result(tmp_path)
    text = render(result, width=width)
    lines = text.splitlines()
    assert max(cell_len(line) for line in lines) <= width
    assert _content_words(result) - _words(text) == set()
    for name in (CREATE, RENAME):  # a path too wide for the line is folded at its slashes, not in a name
        assert any(name in line for line in lines), name
        assert any(line.strip() == f"{VERSIONS}/" or line.rstrip().endswith(f"  {VERSIONS}/{name}")
                   for line in lines)


def test_the_table_folds_its_columns_before_it_breaks_a_word(tmp_path):
    result = _result(tmp_path)
    wide, narrow = render(result, width=160), render(result, width=80)
    first = wide.split("revision 5e7b3c9a2d16")[0]
    assert "locks taken" in first and "rewrite" in first and "what the server did" not in first
    first = narrow.split("revision 5e7b3c9a2d16")[0]
    assert "what the server did" in first and "locks taken: AccessExclusive" in first
    # The 63-character index name leaves no room for a table at 80 columns: one block per statement.
    second = narrow.split("revision 5e7b3c9a2d16")[1]
    assert "line 36  1.7 ms" in second and "line 27  1.7 ms" in second
    assert "ERROR: column \"assignee_id\" of relation \"tickets\" contains null values" in " ".join(second.split())


def test_findings_start_with_their_line_under_the_revision_that_names_the_path(tmp_path):
    text = render(_result(tmp_path), width=80)
    assert "  line 27: truncate-table confirmed: AccessExclusiveLock on sla_policies;" in text
    assert f"{VERSIONS}/{RENAME}:27" not in text


def test_column_widths_keep_every_word_whole_or_give_up():
    columns = [["line", "24"], ["statement", "CREATE TABLE organizations"], ["ms", "1.7"]]
    assert column_widths(columns, [False, True, False], 80) == [4, 26, 3]  # room enough: one line each
    assert column_widths(columns, [False, True, False], 4 + 13 + 3 + 6) == [4, 13, 3]  # the longest word
    assert column_widths(columns, [False, True, False], 4 + 12 + 3 + 6) is None


def test_a_path_folds_after_its_slashes():
    assert fold_path("migrations/versions/2024_abc.py", 19) == ["migrations/", "versions/", "2024_abc.py"]
    assert fold_path("migrations/versions/2024_abc.py", 30) == ["migrations/versions/", "2024_abc.py"]
    assert fold_path("a/" + "x" * 12, 5) == ["a/", "xxxxx", "xxxxx", "xx"]
