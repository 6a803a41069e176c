"""`migsafe baseline` and reviews against it: known findings are left out, fixed ones leave stale entries."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from conftest import USERS_TABLE, revision_source, write_history

from migsafe.baseline import fingerprint
from migsafe.report import Finding

INDEX = 'op.create_index("ix_email", "users", ["email"])'
DROP = 'op.drop_column("users", "name")'


def migsafe(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "migsafe", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=120)


def _json(tmp_path: Path, *args: str) -> tuple[int, dict]:
    result = migsafe("review", "versions", "--format", "json", *args, cwd=tmp_path)
    return result.returncode, json.loads(result.stdout)


def _rewrite(path: Path, body: str, revision: str, down: str | None) -> None:
    path.write_text(revision_source(body, revision, down), encoding="utf-8")


def test_baseline_filters_known_findings_across_line_shifts_and_new_revisions(tmp_path):
    versions = tmp_path / "versions"
    paths = write_history(versions, [USERS_TABLE, INDEX + "\n" + DROP])
    result = migsafe("baseline", "versions", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    data = json.loads((tmp_path / ".migsafe-baseline.json").read_text())
    assert data["migsafe_baseline"] == 1
    rules = sorted(e["rule"] for e in data["entries"])
    assert "index-not-concurrent" in rules and "drop-column" in rules
    assert all(e["path"] == "versions/002_r2.py" and e["revision"] == "r2" for e in data["entries"])

    code, report = _json(tmp_path)
    assert code == 0 and report["findings"] == [] and report["summary"]["baselined"] == len(data["entries"])

    # Shift lines (comments and blank lines above the calls) and add an unrelated clean revision.
    _rewrite(paths[1], "# a comment\n\n# another\n\n" + INDEX + "\n\n" + DROP, "r2", "r1")
    (versions / "003_r3.py").write_text(revision_source("pass", "r3", "r2"), encoding="utf-8")
    code, report = _json(tmp_path)
    assert code == 0 and report["findings"] == []
    assert not [n for n in report["notes"] if n["kind"] == "stale-baseline"]

    # A new finding is reported; the known ones are still left out.
    _rewrite(versions / "003_r3.py", 'op.create_index("ix_status", "users", ["status"])', "r3", "r2")
    code, report = _json(tmp_path)
    assert code == 1
    assert [(f["revision"], f["rule"]) for f in report["findings"] if f["rule"] == "index-not-concurrent"] == \
        [("r3", "index-not-concurrent")]

    # Without the baseline everything is there.
    code, report = _json(tmp_path, "--no-baseline")
    assert {f["revision"] for f in report["findings"]} == {"r2", "r3"}


def test_fixed_finding_leaves_a_stale_entry(tmp_path):
    versions = tmp_path / "versions"
    paths = write_history(versions, [USERS_TABLE, INDEX + "\n" + DROP])
    assert migsafe("baseline", "versions", cwd=tmp_path).returncode == 0
    fixed = ("with op.get_context().autocommit_block():\n"
             '    op.create_index("ix_email", "users", ["email"], postgresql_concurrently=True)\n' + DROP)
    _rewrite(paths[1], fixed, "r2", "r1")
    code, report = _json(tmp_path)
    stale = [n for n in report["notes"] if n["kind"] == "stale-baseline"]
    assert len(stale) == 1 and "index-not-concurrent" in stale[0]["message"] and stale[0]["revision"] == "r2"
    assert stale[0]["path"] == ".migsafe-baseline.json"
    assert code == 0 and not [f for f in report["findings"] if f["rule"] == "drop-column"]


def test_changed_statement_is_a_new_finding(tmp_path):
    versions = tmp_path / "versions"
    paths = write_history(versions, [USERS_TABLE, INDEX])
    assert migsafe("baseline", "versions", cwd=tmp_path).returncode == 0
    _rewrite(paths[1], 'op.create_index("ix_email", "users", ["email", "name"])', "r2", "r1")
    code, report = _json(tmp_path)
    assert code == 1 and [f["rule"] for f in report["findings"]] == ["index-not-concurrent"]
    assert [n["kind"] for n in report["notes"]] == ["stale-baseline"]


def test_duplicate_statements_are_counted(tmp_path):
    versions = tmp_path / "versions"
    stmt = 'op.execute("CREATE INDEX ix_e ON users (email)")'
    paths = write_history(versions, [USERS_TABLE, stmt])
    assert migsafe("baseline", "versions", cwd=tmp_path).returncode == 0
    _rewrite(paths[1], stmt + '\nop.execute("DROP INDEX ix_e")\n' + stmt, "r2", "r1")
    code, report = _json(tmp_path, "--select", "index-not-concurrent")
    assert code == 1 and len(report["findings"]) == 1


def test_explicit_output_option_and_config_key(tmp_path):
    write_history(tmp_path / "versions", [USERS_TABLE, INDEX])
    (tmp_path / "pyproject.toml").write_text('[tool.migsafe]\nbaseline = "ci/known.json"\n', encoding="utf-8")
    (tmp_path / "ci").mkdir()
    assert migsafe("baseline", "versions", cwd=tmp_path).returncode == 0
    assert (tmp_path / "ci" / "known.json").is_file() and not (tmp_path / ".migsafe-baseline.json").exists()
    assert _json(tmp_path)[0] == 0
    assert migsafe("baseline", "versions", "--output", "other.json", cwd=tmp_path).returncode == 0
    assert json.loads((tmp_path / "other.json").read_text())["entries"]
    (tmp_path / "pyproject.toml").write_text('[tool.migsafe]\nfail-on = "warning"\n', encoding="utf-8")
    assert _json(tmp_path)[0] == 1  # the config no longer names it and no default file exists
    assert _json(tmp_path, "--baseline", "other.json")[0] == 0


def test_malformed_or_missing_baseline_is_a_one_line_error(tmp_path):
    write_history(tmp_path / "versions", [USERS_TABLE, INDEX])
    for text in ("{not json", '{"migsafe_baseline": 1, "entries": [{"rule": "x"}]}', "[]"):
        (tmp_path / ".migsafe-baseline.json").write_text(text, encoding="utf-8")
        result = migsafe("review", "versions", cwd=tmp_path)
        assert result.returncode == 2 and result.stdout == ""
        assert result.stderr.startswith("migsafe: error: ") and len(result.stderr.strip().splitlines()) == 1
        assert ".migsafe-baseline.json" in result.stderr
    result = migsafe("review", "versions", "--baseline", "nope.json", cwd=tmp_path)
    assert result.returncode == 2 and "nope.json" in result.stderr


def test_fingerprint_ignores_formatting_but_not_names():
    def finding(sql: str, line: int = 1, rule: str = "index-not-concurrent", revision: str = "r1") -> Finding:
        return Finding(rule=rule, severity="error", message="m", fix="f", path=Path("x.py"), line=line,
                       end_line=line, revision=revision, sql=sql)

    base = fingerprint(finding("CREATE INDEX ix ON users (email)"))
    assert fingerprint(finding("create  index ix\n on users(email)", line=40)) == base
    assert fingerprint(finding("CREATE INDEX ix2 ON users (email)")) != base
    assert fingerprint(finding("CREATE INDEX ix ON users (email)", revision="r2")) != base
    assert fingerprint(finding("CREATE INDEX ix ON users (email)", rule="other")) != base
