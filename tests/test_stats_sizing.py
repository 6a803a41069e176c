"""Size-aware reviews (``review --stats``, migsafe/stats/sizing.py): findings carry their table's size and the
estimated blocking time, and the severity of a finding whose danger is its duration follows the table's size."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from migsafe.engine import ReviewOptions, review
from migsafe.errors import UsageError
from migsafe.report import Finding, Report
from migsafe.stats import sizing
from migsafe.stats.snapshot import Activity, Snapshot, Table, write
from pty_run import environment

from conftest import USERS_TABLE, write_history

NOW = datetime(2026, 12, 7, 7, 0, tzinfo=timezone.utc)
QUIET = Activity(n_tup_ins=1, n_tup_upd=0, n_tup_del=0, n_live_tup=1, seq_scan=3, idx_scan=None,
                 last_vacuum_or_analyze=None)
MB = 1024 * 1024

# r1 creates users; r2 rewrites it (column-type-rewrite, error), back-fills it (backfill-in-transaction,
# warning), drops a column (drop-column: correctness, not duration) and takes ACCESS EXCLUSIVE without a
# lock_timeout (missing-lock-timeout: the lock queue).
CHANGES = """
op.execute("UPDATE users SET status = 'active'")
op.alter_column("users", "id", type_=sa.BigInteger())
op.drop_column("users", "name")
"""

# A back-fill alone: backfill-in-transaction at its default severity, warning.
BACKFILL = """op.execute("UPDATE users SET status = 'active' WHERE status IS NULL")"""


@pytest.fixture(autouse=True)
def _fixed_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sizing, "utc_now", lambda: NOW)


def snapshot_file(path: Path, tables: dict[str, int | None], *, taken_at: datetime = NOW,
                  version_num: int = 150018) -> Path:
    """A snapshot of ``tables`` (name -> rows), 100 bytes a row of heap and 30 of index."""
    entries = tuple(
        Table(schema="public", name=name, kind="table", rows=rows, rows_source="reltuples" if rows is not None
              else "unknown", table_bytes=None if rows is None else max(8192, rows * 100),
              index_bytes=None if rows is None else max(8192, rows * 30), activity=QUIET)
        for name, rows in sorted(tables.items()))
    major = version_num // 10000
    write(Snapshot(taken_at=taken_at.strftime("%Y-%m-%dT%H:%M:%SZ"), server_version=f"{major}.{version_num % 100}",
                   server_version_num=version_num, source="primary", database="app", stats_reset=None,
                   tables=entries), path)
    return path


def run(tmp_path: Path, rows: int | None, *, config: str | None = None, table: str = "users",
        taken_at: datetime = NOW, body: str = CHANGES, **options: object) -> Report:
    versions = tmp_path / "versions"
    if not versions.exists():
        write_history(versions, [USERS_TABLE, body])
    stats = snapshot_file(tmp_path / "stats.json", {table: rows}, taken_at=taken_at)
    if config is not None:
        (tmp_path / "migsafe.toml").write_text(config, encoding="utf-8")
    else:
        options.setdefault("stats", stats)
    report = review(ReviewOptions(paths=[versions], cwd=tmp_path, use_cache=False, **options))  # type: ignore[arg-type]
    assert not report.errors, [e.message for e in report.errors]
    return report


def finding(report: Report, rule: str) -> Finding:
    found = [f for f in report.findings if f.rule == rule]
    assert len(found) == 1, [(f.rule, f.message) for f in report.findings]
    return found[0]


def test_without_stats_findings_carry_no_size(tmp_path):
    versions = tmp_path / "versions"
    write_history(versions, [USERS_TABLE, CHANGES])
    report = review(ReviewOptions(paths=[versions], cwd=tmp_path, use_cache=False))
    rewrite = finding(report, "column-type-rewrite")
    assert rewrite.table_size is None and rewrite.estimate is None and rewrite.severity == "error"
    assert " on users (" not in rewrite.text and not any(n.kind == "stats" for n in report.notes)


def test_a_large_table_gets_its_size_and_an_estimate_in_words(tmp_path):
    report = run(tmp_path, 41_000_000)
    rewrite = finding(report, "column-type-rewrite")
    assert rewrite.table_size is not None and rewrite.table_size.rows == 41_000_000
    assert rewrite.table_size.bytes == 41_000_000 * 130
    assert rewrite.estimate is not None and 0 < rewrite.estimate.seconds_low < rewrite.estimate.seconds_high
    assert "rewrite of 5 GB (table and indexes)" in rewrite.estimate.basis
    assert "; ACCESS EXCLUSIVE on users (41 M rows, 5 GB) for about " in rewrite.text
    assert rewrite.text.endswith("while PostgreSQL rewrites it")
    assert rewrite.severity == "error"
    note = [n.message for n in report.notes if n.kind == "stats"]
    assert note == ["table sizes from stats.json (taken 2026-12-07T07:00:00Z, today, PostgreSQL 15.18)"]


def test_a_warning_rule_on_a_table_over_large_table_rows_is_an_error(tmp_path):
    assert finding(run(tmp_path / "default", 200_000, body=BACKFILL), "backfill-in-transaction").severity == "warning"
    report = run(tmp_path, 5_000_000, body=BACKFILL)
    backfill = finding(report, "backfill-in-transaction")
    assert backfill.severity == "error"
    assert backfill.severity_reason == "5 M rows, at least large-table-rows (1 M): an error"
    assert backfill.estimate is not None and "UPDATE back-fill of 5 M rows" in backfill.estimate.basis


def test_a_table_between_the_thresholds_keeps_each_rule_s_severity(tmp_path):
    report = run(tmp_path, 200_000)
    assert finding(report, "column-type-rewrite").severity == "error"
    backfill = finding(run(tmp_path / "backfill", 200_000, body=BACKFILL), "backfill-in-transaction")
    assert backfill.severity == "warning" and backfill.severity_reason == ""


def test_a_small_table_makes_duration_findings_info_with_the_reason(tmp_path):
    report = run(tmp_path, 12)
    rewrite = finding(report, "column-type-rewrite")
    assert rewrite.severity == "info"
    assert rewrite.severity_reason == "12 rows: the rewrite takes milliseconds"
    assert rewrite.text.endswith("(12 rows: the rewrite takes milliseconds)")
    assert finding(report, "backfill-in-transaction").severity == "info"


def test_lock_queue_and_correctness_findings_do_not_follow_size(tmp_path):
    report = run(tmp_path, 12)
    drop = finding(report, "drop-column")
    assert drop.severity == "warning" and drop.estimate is None
    assert drop.table_size is not None and drop.text.endswith("; users: 12 rows, 16 kB")
    lock_timeouts = [f for f in report.findings if f.rule == "missing-lock-timeout"]
    assert lock_timeouts and all(f.severity == "warning" for f in lock_timeouts)
    # Keyed by revision, not by table: the statement's one table gives the size.
    assert all(f.table_size is not None and f.size_words == "users: 12 rows, 16 kB" for f in lock_timeouts)
    big = run(tmp_path / "big", 50_000_000)
    assert finding(big, "drop-column").severity == "warning"


def test_thresholds_come_from_the_configuration(tmp_path):
    report = run(tmp_path, 500, config='stats = "stats.json"\nsmall-table-rows = 100\nlarge-table-rows = 400\n',
                 body=BACKFILL)
    assert finding(report, "backfill-in-transaction").severity == "error"
    report = run(tmp_path / "b", 500, config='stats = "stats.json"\nsmall-table-rows = 1000\n')
    assert finding(report, "column-type-rewrite").severity == "info"


def test_an_explicit_severity_beats_the_size_rule(tmp_path):
    report = run(tmp_path, 12, config='stats = "stats.json"\n[severity]\ncolumn-type-rewrite = "error"\n')
    rewrite = finding(report, "column-type-rewrite")
    assert rewrite.severity == "error" and rewrite.severity_reason == ""
    assert rewrite.table_size is not None  # still sized
    assert finding(report, "backfill-in-transaction").severity == "info"


def test_a_table_missing_from_the_snapshot_is_judged_as_without_it_and_says_so(tmp_path):
    report = run(tmp_path, 12, table="orders")
    rewrite = finding(report, "column-type-rewrite")
    assert rewrite.severity == "error" and rewrite.table_size is None
    assert rewrite.text.endswith("; users is not in the stats snapshot: judged without its size")


def test_a_table_never_analysed_is_judged_as_without_a_size(tmp_path):
    report = run(tmp_path, None)
    rewrite = finding(report, "column-type-rewrite")
    assert rewrite.severity == "error" and rewrite.estimate is None
    assert "users: size unknown" in rewrite.text


def test_a_stale_snapshot_never_lowers_a_finding_below_warning(tmp_path):
    report = run(tmp_path, 12, taken_at=NOW - timedelta(days=45))
    rewrite = finding(report, "column-type-rewrite")
    assert rewrite.severity == "warning"
    assert "stats snapshot is stale" in rewrite.severity_reason
    assert finding(report, "backfill-in-transaction").severity == "warning"
    note = [n.message for n in report.notes if n.kind == "stats"][0]
    assert "45 days ago" in note and "older than stats-max-age (30 days)" in note
    # ... while a stale snapshot still raises: a table that was large has not become small.
    assert finding(run(tmp_path / "big", 9_000_000, taken_at=NOW - timedelta(days=45), body=BACKFILL),
                   "backfill-in-transaction").severity == "error"


def test_stats_max_age_is_configurable(tmp_path):
    report = run(tmp_path, 12, taken_at=NOW - timedelta(days=45), config='stats = "stats.json"\nstats-max-age = 60\n')
    assert finding(report, "column-type-rewrite").severity == "info"


def test_the_postgresql_version_comes_from_the_snapshot_after_the_command_line_and_the_configuration(tmp_path):
    versions = tmp_path / "versions"
    write_history(versions, [USERS_TABLE, CHANGES])
    stats = snapshot_file(tmp_path / "stats.json", {"users": 10}, version_num=110005)

    def version(**options: object) -> str:
        return review(ReviewOptions(paths=[versions], cwd=tmp_path, use_cache=False, stats=stats,
                                    **options)).pg_version  # type: ignore[arg-type]

    assert version() == "11.5"
    assert version(pg_version="13") == "13"
    config = tmp_path / "migsafe.toml"
    config.write_text('pg-version = "14"\n', encoding="utf-8")
    assert version(config_file=config) == "14"
    config.unlink()
    assert review(ReviewOptions(paths=[versions], cwd=tmp_path, use_cache=False)).pg_version == "15"


@pytest.mark.parametrize("config, message", [
    ('small-table-rows = -1\n', "small-table-rows must be a whole number of rows"),
    ('large-table-rows = "many"\n', "large-table-rows must be a whole number of rows"),
    ('small-table-rows = 10\nlarge-table-rows = 5\n', "small-table-rows (10) is more than large-table-rows (5)"),
    ('stats-max-age = "a month"\n', "stats-max-age must be a number of days"),
    ('stats = 3\n', "stats must be a file path"),
])
def test_bad_settings_are_one_line_naming_the_file(tmp_path, config, message):
    with pytest.raises(UsageError, match="migsafe.toml: " + message.replace("(", r"\(").replace(")", r"\)")):
        run(tmp_path, 12, config=config)


def _cli(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "migsafe", "review", *args], cwd=tmp_path, capture_output=True,
                          text=True, env=environment(NO_COLOR="1"), timeout=300)


def test_a_bad_stats_file_is_one_line_naming_it_and_exit_2(tmp_path):
    write_history(tmp_path / "versions", [USERS_TABLE, CHANGES])
    (tmp_path / "broken.json").write_text("{", encoding="utf-8")
    result = _cli(tmp_path, "versions", "--stats", "broken.json", "--no-cache")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [f"migsafe: error: {tmp_path / 'broken.json'}: not JSON "
                                                  "(Expecting property name enclosed in double quotes at line 1, "
                                                  "column 2)"]
    result = _cli(tmp_path, "versions", "--stats", "missing.json", "--no-cache")
    assert result.returncode == 2 and "missing.json: no such stats file" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_command_line_reads_stats_and_json_carries_the_new_fields(tmp_path):
    write_history(tmp_path / "versions", [USERS_TABLE, CHANGES])
    # Taken now: the subprocess's clock is not the fixed one.
    snapshot_file(tmp_path / "stats.json", {"users": 41_000_000}, taken_at=datetime.now(timezone.utc))
    result = _cli(tmp_path, "versions", "--stats", "stats.json", "--format", "json", "--no-cache")
    data = json.loads(result.stdout)
    rewrite = [f for f in data["findings"] if f["rule"] == "column-type-rewrite"][0]
    assert rewrite["table"] == {"schema": "public", "name": "users"}
    assert rewrite["table_size"] == {"rows": 41_000_000, "bytes": 41_000_000 * 130, "table_bytes": 41_000_000 * 100,
                                     "index_bytes": 41_000_000 * 30}
    assert set(rewrite["estimate"]) == {"seconds_low", "seconds_high", "basis"}
    assert rewrite["estimate"]["seconds_high"] == pytest.approx(4 * rewrite["estimate"]["seconds_low"], rel=1e-3)
    plain = json.loads(_cli(tmp_path, "versions", "--format", "json", "--no-cache").stdout)
    assert not any({"table", "table_size", "estimate", "severity_reason"} & set(f) for f in plain["findings"])


@pytest.mark.parametrize("output_format", ["text", "concise", "markdown", "github", "gitlab", "sarif"])
def test_every_format_says_the_size_and_the_duration_in_words(tmp_path, output_format):
    from migsafe.reporters import render

    report = run(tmp_path, 41_000_000)
    output = " ".join(render(output_format, report, width=200).split())
    assert "ACCESS EXCLUSIVE on users (41 M rows, 5 GB) for about" in output.replace("\\n", " ")


def test_an_index_finding_is_sized_by_the_index_s_table(tmp_path):
    body = 'op.execute("REINDEX INDEX ix_users_email")'
    versions = tmp_path / "versions"
    write_history(versions, [USERS_TABLE + '\nop.create_index("ix_users_email", "users", ["email"])', body])
    report = run(tmp_path, 2_000_000)
    reindex = finding(report, "reindex-not-concurrent")
    assert reindex.table_size is not None and reindex.table_size.rows == 2_000_000
    assert reindex.estimate is not None and "btree build of 2 M rows" in reindex.estimate.basis


def test_a_foreign_key_is_estimated_as_a_validation_of_every_row(tmp_path):
    body = ('op.create_foreign_key("fk_users_self", "users", "users", ["status"], ["email"])\n'
            'op.create_check_constraint("ck_users_status", "users", "status <> \'\'")')
    write_history(tmp_path / "versions", [USERS_TABLE, body])
    report = run(tmp_path, 3_000_000)
    bases = sorted(f.estimate.basis.split(" at ")[0] for f in report.findings
                   if f.rule == "constraint-without-not-valid" and f.estimate is not None)
    assert bases == ["CHECK validation of 3 M rows", "FOREIGN KEY validation of 3 M rows"]


def test_sizing_targets_are_the_rules_whose_cost_grows_with_the_table():
    assert set(sizing.PHASES) == {
        "column-type-rewrite", "add-column-rewrites", "volatile-default", "table-rewrite-command", "enum-recreate",
        "set-not-null", "constraint-without-not-valid", "unique-constraint-builds-index", "index-not-concurrent",
        "reindex-not-concurrent", "backfill-in-transaction"}


def test_a_sizing_with_a_later_clock_is_stale():
    snapshot = Snapshot(taken_at="2026-11-01T00:00:00Z", server_version="15.1", server_version_num=150001,
                        source="primary", database="app", stats_reset=None)
    fresh = sizing.Sizing(snapshot=snapshot, path=Path("s.json"), now=datetime(2026, 11, 20, tzinfo=timezone.utc))
    assert not fresh.stale and replace(fresh, now=datetime(2026, 12, 2, tzinfo=timezone.utc)).stale


SAMPLE = Path(__file__).resolve().parents[1] / "sample_migrations" / "dangerous"


def test_the_dangerous_sample_s_snapshot_is_valid_and_changes_what_the_readme_says(monkeypatch):
    import jsonschema

    schema = json.loads((SAMPLE.parents[1] / "docs" / "stats.schema.json").read_text("utf-8"))
    jsonschema.validate(json.loads((SAMPLE / "migsafe-stats.json").read_text("utf-8")), schema)
    monkeypatch.setattr(sizing, "utc_now", lambda: datetime(2026, 12, 8, tzinfo=timezone.utc))
    report = review(ReviewOptions(paths=[SAMPLE], cwd=SAMPLE.parents[1], use_cache=False,
                                  stats=SAMPLE / "migsafe-stats.json"))
    assert report.counts == {"error": 28, "warning": 24, "info": 3}
    moved = sorted((f.rule, f.table.name if f.table else None, f.severity) for f in report.findings
                   if f.severity_reason)
    assert moved == [("backfill-in-transaction", "sla_policies", "info"), ("backfill-in-transaction", "tags", "info"),
                     ("backfill-in-transaction", "tickets", "error"),
                     ("unique-constraint-builds-index", "tags", "info")]
    readme = " ".join((SAMPLE.parents[1] / "README.md").read_text("utf-8").split())
    rewrite = [f for f in report.findings if f.rule == "column-type-rewrite" and f.line == 32][0]
    assert " ".join(rewrite.size_words.split()) in readme
    assert "55 findings (28 error, 24 warning, 3 info) in 24 revisions" in readme


def test_the_dangerous_sample_is_reviewed_without_stats_by_default():
    # tests/data/dangerous_sample_findings.json is a review without --stats: the sample's configuration must not
    # name the snapshot.
    report = review(ReviewOptions(paths=[SAMPLE], cwd=SAMPLE.parents[1], use_cache=False))
    assert not any(n.kind == "stats" for n in report.notes) and report.pg_version == "15"


def test_sizes_do_not_change_a_finding_s_message_nor_its_fingerprints(tmp_path):
    # Baselines and code scanning (SARIF, GitLab) match a finding by a fingerprint that may fall back to its
    # message: the size words are kept apart from it, and shown by every format through Finding.text.
    from migsafe.baseline import fingerprint

    plain = review(ReviewOptions(paths=[SAMPLE], cwd=SAMPLE.parents[1], use_cache=False))
    sized = review(ReviewOptions(paths=[SAMPLE], cwd=SAMPLE.parents[1], use_cache=False,
                                 stats=SAMPLE / "migsafe-stats.json"))
    assert [f.message for f in plain.findings] == [f.message for f in sized.findings]
    assert [fingerprint(f) for f in plain.findings] == [fingerprint(f) for f in sized.findings]
    assert sum(bool(f.size_words) for f in sized.findings) > 25
    assert all(f.text.startswith(f.message + "; ") for f in sized.findings if f.size_words)
