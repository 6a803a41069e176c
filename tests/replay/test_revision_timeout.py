"""`migsafe replay --revision-timeout`: a revision over its limit is stopped on our side and on the server's, is a
`migration-failed` finding naming the limit, and replay goes on (or, with one transaction for the upgrade, stops).
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import USERS_TABLE, needs_sqlalchemy_2, write_history
from migsafe.replay.run import ReplayOptions, replay
from replay.test_server import needs_postgres

pytestmark = [needs_postgres, needs_sqlalchemy_2]

# Sleeps only on the server: the static review that replay runs first executes upgrade() too (there,
# is_offline_mode() answers as online, but the migration context stays as_sql).
PYTHON_SLEEP = "from alembic import context\nimport time\nif not context.get_context().as_sql:\n    time.sleep(600)"
SERVER_SLEEP = 'op.execute("SELECT pg_sleep(600)")'
# Fails if anything of the revision before is still running on the server (its lock on users would be held too).
NEXT = """
from alembic import context
if not context.get_context().as_sql:
    left = op.get_bind().execute(sa.text(
        "SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%sleep(600)%' AND pid <> pg_backend_pid()")).scalar()
    assert left == 0, f"{left} statement(s) of the revision before still running"
op.add_column("users", sa.Column("nickname", sa.String(40), nullable=True))
"""


def _replay(tmp_path: Path, bodies: list[str], **options: object):
    write_history(tmp_path / "versions", bodies)
    started = time.monotonic()
    result = replay(ReplayOptions(paths=[tmp_path / "versions"], cwd=tmp_path, rows=50,  # type: ignore[arg-type]
                                  **options))
    return result, time.monotonic() - started


def _line(tmp_path: Path, name: str, text: str) -> int:
    lines = (tmp_path / "versions" / name).read_text().splitlines()
    return next(number for number, line in enumerate(lines, 1) if text in line)


@pytest.mark.parametrize("body", [SERVER_SLEEP, PYTHON_SLEEP], ids=["pg_sleep", "time.sleep"])
def test_a_revision_over_its_limit_is_a_finding_and_the_next_one_runs(tmp_path, body):
    result, seconds = _replay(tmp_path, [USERS_TABLE, body, NEXT], revision_timeout=1)
    assert seconds < 30
    [failed] = [f for f in result.report.findings if f.rule == "migration-failed"]
    assert failed.revision == "r2"
    assert failed.message.startswith("the revision did not finish within 1 s (revision-timeout)")
    assert failed.line == _line(tmp_path, "002_r2.py", "sleep(600)")
    by_revision = {r.revision: r for r in result.revisions}
    assert by_revision["r2"].timed_out and "within 1 s" in (by_revision["r2"].error or "")
    # Nothing of r2 was left running on the server (nor holding its locks).
    r3 = by_revision["r3"]
    assert r3.error is None, r3.error
    assert any(s.sql.startswith("ALTER TABLE users ADD COLUMN nickname") for s in r3.statements)


def test_with_one_transaction_for_the_upgrade_replay_stops_at_the_revision(tmp_path):
    (tmp_path / "pyproject.toml").write_text("[tool.migsafe]\ntransaction-per-migration = false\n")
    result, seconds = _replay(tmp_path, [USERS_TABLE, SERVER_SLEEP, NEXT], revision_timeout=1)
    assert seconds < 30
    assert [f.revision for f in result.report.findings if f.rule == "migration-failed"] == ["r2"]
    assert [r.revision for r in result.revisions] == ["r1", "r2"]


def test_the_configuration_key_sets_the_limit(tmp_path):
    (tmp_path / "pyproject.toml").write_text("[tool.migsafe]\nrevision-timeout = 0.5\n")
    result, seconds = _replay(tmp_path, [USERS_TABLE, SERVER_SLEEP])
    assert seconds < 30
    assert [r.error for r in result.revisions if r.timed_out] == [
        "did not finish within 0.5 s (revision-timeout); replay stopped it and ended its statement on the server"]


def test_the_command_line_option_overrides_the_key(tmp_path):
    write_history(tmp_path / "versions", [USERS_TABLE, SERVER_SLEEP])
    (tmp_path / "pyproject.toml").write_text("[tool.migsafe]\nrevision-timeout = 0\n")  # 0: no limit
    done = subprocess.run([sys.executable, "-m", "migsafe", "replay", "versions", "--rows", "10",
                           "--revision-timeout", "1.5"], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert done.returncode == 1, done.stderr
    assert "did not finish within 1.5 s (revision-timeout)" in done.stdout, done.stderr
