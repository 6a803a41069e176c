"""``review --downgrade``: each reported revision's downgrade() is reviewed with the same rules, newest first,
against the schema the upgrades left; its findings and load errors are marked downgrade."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from conftest import USERS_TABLE, revision_source, text_findings

from migsafe.engine import ReviewOptions, review

ADD_X = 'op.add_column("users", sa.Column("x", sa.Integer()))'
DOWN = 'op.drop_column("users", "x")\nop.create_index("ix_email", "users", ["email"])'


def _versions(tmp_path: Path, *revisions: tuple[str, str]) -> Path:
    """(upgrade body, downgrade body) per revision, chained r1 <- r2 <- ..."""
    versions = tmp_path / "versions"
    versions.mkdir()
    down = None
    for number, (body, downgrade) in enumerate(revisions, start=1):
        (versions / f"{number:03d}_r{number}.py").write_text(
            revision_source(body, f"r{number}", down, downgrade=downgrade), encoding="utf-8")
        down = f"r{number}"
    return versions


def _line(path: Path, needle: str) -> int:
    return next(n for n, line in enumerate(path.read_text().splitlines(), start=1) if needle in line)


def _review(tmp_path: Path, versions: Path, **options: object):
    return review(ReviewOptions(paths=[versions], cwd=tmp_path, **options))  # type: ignore[arg-type]


def test_downgrade_is_not_reviewed_by_default(tmp_path):
    versions = _versions(tmp_path, (USERS_TABLE, "pass"), (ADD_X, DOWN))
    report = _review(tmp_path, versions)
    assert {f.direction for f in report.findings} == {"upgrade"}
    assert not any(f.rule in ("drop-column", "index-not-concurrent") for f in report.findings)


def test_downgrade_findings_are_marked_and_point_into_downgrade(tmp_path):
    versions = _versions(tmp_path, (USERS_TABLE, "pass"), (ADD_X, DOWN))
    report = _review(tmp_path, versions, downgrade=True)
    assert not report.errors
    path = versions / "002_r2.py"
    down = {(f.rule, f.line) for f in report.findings if f.direction == "downgrade"}
    assert ("drop-column", _line(path, 'op.drop_column("users", "x")')) in down
    assert ("index-not-concurrent", _line(path, "ix_email")) in down
    assert all(f.revision == "r2" for f in report.findings if f.direction == "downgrade")
    # The upgrade findings are still there, unmarked, and come first.
    assert report.findings[0].direction == "upgrade"
    assert report.findings[-1].direction == "downgrade"
    assert report.exit_code() == 1


def test_a_table_created_by_the_upgrade_holds_rows_when_rolled_back(tmp_path):
    create = 'op.create_table("orders", sa.Column("id", sa.Integer()), sa.Column("n", sa.Integer()))'
    versions = _versions(tmp_path, (create, 'op.create_index("ix_n", "orders", ["n"])'))
    report = _review(tmp_path, versions, downgrade=True)
    assert [f.rule for f in report.findings if f.rule == "index-not-concurrent"] == ["index-not-concurrent"]
    assert report.findings[0].direction == "downgrade"


def test_downgrade_runs_newest_first(tmp_path):
    # r2's downgrade drops the column r3's downgrade would index: the rollback order decides.
    versions = _versions(tmp_path, (USERS_TABLE, "pass"),
                         (ADD_X, 'op.drop_column("users", "x")'),
                         ('op.create_index("ix_x", "users", ["x"], postgresql_concurrently=True)',
                          'op.drop_index("ix_x", table_name="users")'))
    report = _review(tmp_path, versions, downgrade=True, select=["drop-index-not-concurrent", "drop-column"])
    down = [(f.revision, f.rule) for f in report.findings if f.direction == "downgrade"]
    assert down == [("r3", "drop-index-not-concurrent"), ("r2", "drop-column")]


def test_downgrade_load_error_is_reported_with_its_direction(tmp_path):
    versions = _versions(tmp_path, (USERS_TABLE, "pass"), ("pass", 'raise RuntimeError("boom")'))
    report = _review(tmp_path, versions, downgrade=True)
    [error] = report.errors
    assert error.kind == "load-error" and error.direction == "downgrade" and "boom" in error.message
    assert error.line == _line(versions / "002_r2.py", "boom")
    assert report.exit_code() == 2
    assert not _review(tmp_path, versions).errors


def test_ignore_comment_in_downgrade_suppresses_and_counts_as_used(tmp_path):
    down = 'op.drop_column("users", "x")  # migsafe: ignore[drop-column]'
    versions = _versions(tmp_path, (USERS_TABLE, "pass"), (ADD_X, down))
    report = _review(tmp_path, versions, downgrade=True, select=["drop-column"])
    assert not report.findings
    assert not [n for n in report.notes if n.kind == "unused-ignore"]
    # Without --downgrade nothing used it.
    report = _review(tmp_path, versions, select=["drop-column"])
    assert [n for n in report.notes if n.kind == "unused-ignore"]


def _migsafe(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "migsafe", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=120)


def test_cli_flag_config_key_and_outputs(tmp_path):
    _versions(tmp_path, (USERS_TABLE, "pass"), (ADD_X, DOWN))
    result = _migsafe("review", "versions", "--downgrade", "--format", "json", cwd=tmp_path)
    data = json.loads(result.stdout)
    directions = {(f["rule"], f["direction"]) for f in data["findings"]}
    assert ("drop-column", "downgrade") in directions and ("missing-lock-timeout", "upgrade") in directions
    text = _migsafe("review", "versions", "--downgrade", cwd=tmp_path).stdout
    assert ("versions/002_r2.py", "drop-column (downgrade)") in {(path, rule) for path, _, _, rule in text_findings(text)}
    github = _migsafe("review", "versions", "--downgrade", "--format", "github", cwd=tmp_path).stdout
    assert "drop-column (downgrade)::" in github
    assert "(downgrade)" not in _migsafe("review", "versions", cwd=tmp_path).stdout
    (tmp_path / "pyproject.toml").write_text("[tool.migsafe]\ndowngrade = true\n", encoding="utf-8")
    assert "drop-column (downgrade)" in _migsafe("review", "versions", cwd=tmp_path).stdout
    (tmp_path / "pyproject.toml").write_text('[tool.migsafe]\ndowngrade = "yes"\n', encoding="utf-8")
    result = _migsafe("review", "versions", cwd=tmp_path)
    assert result.returncode == 2 and "downgrade must be true or false" in result.stderr


def test_sarif_says_which_function_a_finding_is_in(tmp_path):
    from migsafe.reporters import renderer

    versions = _versions(tmp_path, (USERS_TABLE, "pass"), (ADD_X, DOWN))
    sarif = json.loads(renderer("sarif")(_review(tmp_path, versions, downgrade=True), color=False))
    results = sarif["runs"][0]["results"]
    down = [r for r in results if r["properties"]["direction"] == "downgrade"]
    up = [r for r in results if r["properties"]["direction"] == "upgrade"]
    assert down and up
    assert all(r["message"]["text"].startswith("In downgrade(): ") for r in down)
    assert not any(r["message"]["text"].startswith("In downgrade()") for r in up)
