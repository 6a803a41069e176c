"""`migsafe replay` end to end against a real PostgreSQL: confirmations, detections, failures, cleanup."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

import psycopg

from conftest import USERS_TABLE, needs_sqlalchemy_2, write_history
from migsafe.replay.reconcile import EXPECTATIONS
from migsafe.replay.run import ReplayOptions, replay
from migsafe.replay.server import SCRATCH_PREFIX, find_server_binaries, local_cluster
from replay.test_server import needs_postgres, processes_in

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [needs_postgres, needs_sqlalchemy_2]


def _replay(path: Path, cwd: Path, **options: object):
    return replay(ReplayOptions(paths=[path], cwd=cwd, rows=300, **options))  # type: ignore[arg-type]


def _migsafe(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    # A wide report, whatever the terminal running the tests: the statement tables keep one row per statement.
    env = {**os.environ, "COLUMNS": "200"}
    return subprocess.run([sys.executable, "-m", "migsafe", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=300, env=env)


def test_every_static_finding_of_the_dangerous_sample_is_confirmed():
    result = _migsafe("replay", "sample_migrations/dangerous", "--rows", "300", "--format", "json", cwd=ROOT)
    assert result.returncode == 1, result.stderr
    data = json.loads(result.stdout)
    static = [f for f in data["findings"] if f["replay_status"] != "observed"]
    review = json.loads(_migsafe("review", "sample_migrations/dangerous", "--format", "json", cwd=ROOT).stdout)
    assert {f["rule"] for f in static} == {f["rule"] for f in review["findings"]}
    assert set(EXPECTATIONS) >= {f["rule"] for f in static}, "every rule needs a replay expectation"
    # A statement that failed (the sample's revisions that fail on a real server) cannot show its locks.
    unconfirmed = [(f["rule"], f["path"], f["line"], f["replay_detail"]) for f in static
                   if f["replay_status"] != "confirmed" and "the statement failed" not in f["replay_detail"]]
    assert unconfirmed == []
    statement = data["statements"][0]
    assert {"revision", "path", "line", "sql", "locks", "blocks", "rewrites", "scans", "duration_ms"} <= set(statement)
    assert data["server"]["version"].startswith(("1", "2"))
    locks = [lock for s in data["statements"] for lock in s["locks"]]
    assert any(lock["mode"] == "AccessExclusiveLock" for lock in locks)


def test_a_safe_migration_takes_no_blocking_lock_without_a_timeout(tmp_path):
    safe = """
op.execute("SET LOCAL lock_timeout = '2s'")
op.add_column("users", sa.Column("nickname", sa.String(40), nullable=True))
with op.get_context().autocommit_block():
    op.create_index("ix_users_nickname", "users", ["nickname"], postgresql_concurrently=True)
"""
    write_history(tmp_path / "versions", [USERS_TABLE, safe])
    result = _replay(tmp_path / "versions", tmp_path)
    assert [f.rule for f in result.report.findings] == []
    assert result.exit_code() == 0
    [revision] = [r for r in result.revisions if r.reviewed and r.revision == "r2"]
    add, index = [s for s in revision.statements if s.sql.startswith(("ALTER", "CREATE INDEX"))]
    assert add.lock_timeout == "2s" and add.observed
    assert not index.observed and not index.in_transaction
    assert [(lock.relation, lock.mode) for lock in index.locks] == [("users", "ShareUpdateExclusiveLock")]


def test_rewrites_and_scans_no_rule_predicted_are_findings(tmp_path):
    hidden = '''
op.execute("DO $$ BEGIN ALTER TABLE users ALTER COLUMN id TYPE bigint; END $$")
op.execute("DO $$ BEGIN ALTER TABLE users ADD CONSTRAINT ck_email CHECK (email <> ''); END $$")
'''
    write_history(tmp_path / "versions", [USERS_TABLE, hidden])
    result = _replay(tmp_path / "versions", tmp_path)
    found = sorted((f.rule, f.line) for f in result.report.findings if f.revision == "r2")
    first_line = next(i for i, line in enumerate((tmp_path / "versions" / "002_r2.py").read_text().splitlines(), 1)
                      if "TYPE bigint" in line)
    assert ("observed-rewrite", first_line) in found
    assert ("observed-full-scan", first_line + 1) in found
    rewrite = next(f for f in result.report.findings if f.rule == "observed-rewrite")
    assert "users" in rewrite.message and "AccessExclusiveLock" in rewrite.message


def test_a_failing_revision_is_reported_with_the_servers_message_and_replay_goes_on(tmp_path):
    failing = 'op.add_column("users", sa.Column("tenant_id", sa.Integer(), nullable=False))'
    after = 'op.create_index("ix_users_status", "users", ["status"])'
    write_history(tmp_path / "versions", [USERS_TABLE, failing, after])
    result = _replay(tmp_path / "versions", tmp_path)
    by_rule = {f.rule: f for f in result.report.findings}
    assert by_rule["not-null-without-default"].replay_status == "confirmed"
    assert 'column "tenant_id" of relation "users" contains null values' in \
        by_rule["not-null-without-default"].replay_detail
    assert by_rule["index-not-concurrent"].replay_status == "confirmed"  # r3 still ran
    [r2] = [r for r in result.revisions if r.revision == "r2"]
    assert r2.error == 'column "tenant_id" of relation "users" contains null values'
    assert "migration-failed" not in by_rule  # the failure was the predicted one


def test_an_unpredicted_failure_is_a_finding(tmp_path):
    failing = 'op.execute("ALTER TABLE users ADD CONSTRAINT ck_short CHECK (length(email) < 3)")'
    write_history(tmp_path / "versions", [USERS_TABLE, failing])
    result = _replay(tmp_path / "versions", tmp_path, select=["drop-column"])  # no static rule predicts it
    [failed] = [f for f in result.report.findings if f.rule == "migration-failed"]
    assert "violated by some row" in failed.message


def test_version_dependent_findings_are_not_observable_on_another_major(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.migsafe]\npg-version = "11"\n')
    body = 'op.execute("ALTER TYPE mood ADD VALUE \'ecstatic\'")'
    write_history(tmp_path / "versions", ['op.execute("CREATE TYPE mood AS ENUM (\'sad\', \'happy\')")', body])
    result = _replay(tmp_path / "versions", tmp_path)
    [finding] = [f for f in result.report.findings if f.rule == "enum-add-value-in-transaction"]
    assert finding.replay_status == "not observable"
    assert "PostgreSQL 11" in finding.replay_detail


def test_database_url_uses_a_scratch_database_and_leaves_the_named_one_alone(tmp_path):
    write_history(tmp_path / "versions", [USERS_TABLE, 'op.create_index("ix_users_name", "users", ["name"])'])
    with local_cluster(find_server_binaries()) as server:
        with psycopg.connect(server.conninfo, autocommit=True) as conn:
            conn.execute("CREATE DATABASE app")
        with psycopg.connect(server.conninfo, dbname="app", autocommit=True) as conn:
            conn.execute("CREATE TABLE sentinel (id int)")
        url = f"postgresql://postgres@/app?host={quote(str(server.directory), safe='')}"
        result = _replay(tmp_path / "versions", tmp_path, database_url=url)
        assert [(f.rule, f.replay_status) for f in result.report.findings] == [("index-not-concurrent", "confirmed")]
        with psycopg.connect(server.conninfo, dbname="app") as conn:
            tables = [name for (name,) in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public'").fetchall()]
            databases = [name for (name,) in conn.execute("SELECT datname FROM pg_database").fetchall()]
        assert tables == ["sentinel"]
        assert not [d for d in databases if d.startswith(SCRATCH_PREFIX)]


def _scratch_dirs() -> set[Path]:
    return set(Path(tempfile.gettempdir()).glob("migsafe-pg-*")) | set(Path("/tmp").glob("migsafe-pg-*"))


def _parent(pid: int) -> int:
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return -1


def _servers_of(process_id: int, candidates: set[Path]) -> set[Path]:
    """The scratch directories whose postmaster is a child of ``process_id`` (other runs may be going on)."""
    return {d for d in candidates if any(_parent(pid) == process_id for pid in processes_in(d))}


def test_sigterm_during_replay_leaves_no_server_and_no_directory(tmp_path):
    # Sleeps only on the server: the static review that replay runs first executes upgrade() too (there,
# is_offline_mode() answers as online, but the migration context stays as_sql).
    sleeper = "from alembic import context\nimport time\nif not context.get_context().as_sql:\n    time.sleep(120)"
    write_history(tmp_path / "versions", [USERS_TABLE, sleeper])
    process, created = start_replay(tmp_path, "versions", "--rows", "10")
    time.sleep(1.0)  # let it reach the sleeping revision
    assert stop_replay(process, created, signal.SIGTERM) != 0


def start_replay(cwd: Path, *args: str) -> tuple[subprocess.Popen[bytes], set[Path]]:
    """``migsafe replay ARGS`` in the background, once its server is up; and the server's directories."""
    before = _scratch_dirs()
    process = subprocess.Popen([sys.executable, "-m", "migsafe", "replay", *args], cwd=cwd, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    created: set[Path] = set()
    while time.monotonic() < deadline and not created:
        created = _servers_of(process.pid, _scratch_dirs() - before)
        time.sleep(0.1)
    if not created:
        process.kill()
        raise AssertionError("replay never started its server")
    return process, created


def stop_replay(process: subprocess.Popen[bytes], created: set[Path], signum: int) -> int:
    """Send ``signum``; the replay must exit, its server and directories be gone, and no traceback shown."""
    process.send_signal(signum)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        raise AssertionError(f"replay did not exit on signal {signum}")
    for directory in created:
        assert not directory.exists(), f"{directory} left behind"
        assert processes_in(directory) == []
    assert "Traceback" not in process.stderr.read().decode()
    return process.returncode


def test_cli_text_and_markdown_output(tmp_path):
    write_history(tmp_path / "versions", [USERS_TABLE, 'op.alter_column("users", "email", nullable=True)',
                                          'op.alter_column("users", "name", nullable=False)'])
    text = _migsafe("replay", "versions", "--rows", "50", cwd=tmp_path)
    assert text.returncode == 1, text.stderr
    assert "set-not-null confirmed" in text.stdout and "AccessExclusive users" in text.stdout
    markdown = _migsafe("replay", "versions", "--rows", "50", "--format", "markdown", cwd=tmp_path)
    assert markdown.stdout.startswith("## migsafe replay")
    assert "| line | statement | locks taken |" in markdown.stdout
    assert os.environ.get("NO_COLOR") or "\x1b[" not in text.stdout


def test_revisions_reviewed_with_stand_ins_replay_with_the_same_stand_ins(tmp_path):
    body = "from myapp.constants import STATUS_COLUMN\nop.create_index('ix_users_status', 'users', ['status'])"
    write_history(tmp_path / "versions", [USERS_TABLE, body])
    result = _replay(tmp_path / "versions", tmp_path, select=["index-not-concurrent"])
    assert [(f.rule, f.replay_status) for f in result.report.findings] == [("index-not-concurrent", "confirmed")]
    assert [r.revision for r in result.report.partial] == ["r2"]


def test_stdout_carries_only_the_replay_report_whatever_revisions_write(tmp_path):
    """A thread a revision starts goes on writing to descriptor 1 and sys.stdout after replay ran it: the
    JSON report on stdout stays exactly the report."""
    noisy = '''
import os, threading, time
def noise():
    while True:
        os.write(1, b"thread noise\\n")
        print("printed noise", flush=True)
        time.sleep(0.001)
threading.Thread(target=noise, daemon=True).start()
op.add_column("users", sa.Column("nickname", sa.Text()))
'''
    write_history(tmp_path / "versions", [USERS_TABLE, noisy])
    result = _migsafe("replay", "versions", "--rows", "10", "--format", "json", cwd=tmp_path)
    assert "noise" not in result.stdout
    assert [s["sql"] for s in json.loads(result.stdout)["statements"]
            if "nickname" in s["sql"]] == ["ALTER TABLE users ADD COLUMN nickname TEXT"]
