"""``replay --contention``'s measurement against a known schedule, on a real PostgreSQL: a slow reader of N
seconds makes the migration and the application queries behind it wait about N seconds; a lock_timeout cuts
that to about the timeout; every connection and thread of a scene is gone afterwards, also when it is
interrupted."""

from __future__ import annotations

import threading

import psycopg
import pytest

from conftest import USERS_TABLE, needs_sqlalchemy_2, write_history
from migsafe.replay.contention import ContentionOptions, Measurer
from migsafe.replay.server import scratch_database
from replay.test_server import needs_postgres, processes_in

pytestmark = needs_postgres

READER = 1.5  # seconds the slow reader holds ACCESS SHARE
TOLERANCE_MS = max(0.2 * READER * 1000, 300)  # the bound: within 20 % or 300 ms


@pytest.fixture(scope="module")
def db():
    with scratch_database() as db:
        with db.connect(autocommit=True) as conn:
            conn.execute("CREATE TABLE tickets (id serial PRIMARY KEY, title text)")
            conn.execute("INSERT INTO tickets (title) SELECT 'ticket ' || g FROM generate_series(1, 200) g")
        yield db


def _measure(db, statement: str, *, timeout: str = "500ms", before: str | None = None):
    """Measure ``statement`` in a migration transaction as the tracer would; returns (contention, measurer)."""
    options = ContentionOptions(reader_seconds=READER, rate=20, connections=4, lock_timeout=timeout,
                                lock_timeout_source="test")
    measurer = Measurer(lambda: db.connect(autocommit=True), options)
    with db.connect() as migration:
        existing = {row[0] for row in migration.execute("SELECT oid FROM pg_class WHERE relname = 'tickets'")}
        if before:
            migration.execute(before)
        contention = measurer.in_transaction(migration, statement, None, existing, {}, before is None)
        migration.rollback()
    return contention, measurer


def _other_sessions(db) -> list[str]:
    with db.connect(autocommit=True) as conn:
        return [row[0] for row in conn.execute(
            "SELECT coalesce(query, '') FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND backend_type = 'client backend'")]


def _scene_threads() -> list[str]:
    return [t.name for t in threading.enumerate() if t.name.startswith("migsafe-") and t.is_alive()]


def test_a_slow_reader_of_n_seconds_makes_the_migration_and_the_application_wait_about_n_seconds(db):
    contention, _ = _measure(db, "ALTER TABLE tickets ADD COLUMN channel text")
    assert contention is not None
    assert (contention.table, contention.mode) == ("tickets", "AccessExclusiveLock")
    run = contention.as_written
    assert not run.gave_up
    assert abs(run.lock_wait_ms - READER * 1000) <= TOLERANCE_MS, run
    assert abs(run.app_wait_max_ms - READER * 1000) <= TOLERANCE_MS, run
    # Queries arrive at 20 per second behind the waiting statement: about 20 * N of them wait over 100 ms.
    assert abs(run.app_blocked - 20 * (READER - 0.1)) <= 10, run
    assert run.app_queries > run.app_blocked and run.app_errors == 0
    assert run.acquired is not None and run.reader[0] < run.started < run.acquired <= run.ended
    assert run.lock_held_ms < 300
    # The timeline has each blocked query: when it was sent and how long it waited.
    assert max(waited for _, waited in run.blocked) * 1000 == pytest.approx(run.app_wait_max_ms, abs=1)


def test_with_a_lock_timeout_the_migration_gives_up_and_no_query_waits_longer(db):
    contention, _ = _measure(db, "ALTER TABLE tickets ADD COLUMN channel text", timeout="500ms")
    run = contention.with_timeout
    assert run is not None and run.gave_up and "lock timeout" in (run.error or "")
    assert contention.lock_timeout == "500ms"
    assert abs(run.lock_wait_ms - 500) <= 300, run
    assert run.app_wait_max_ms <= 500 + 300, run
    assert run.lock_held_ms == 0 and run.acquired is None
    # As written, the same statement queued the application for the reader's whole time.
    assert contention.as_written.app_wait_max_ms > run.app_wait_max_ms + 500


def test_the_revisions_own_lock_timeout_is_the_one_measured(db):
    contention, _ = _measure(db, "ALTER TABLE tickets ADD COLUMN channel text", timeout="2s",
                             before="SET LOCAL lock_timeout = '300ms'")
    assert (contention.lock_timeout, contention.lock_timeout_source) == ("300ms", "the revision's own SET lock_timeout")
    assert contention.as_written.gave_up  # as written, it already gives up


def test_a_lock_that_blocks_only_writers_blocks_the_writes_while_it_is_held_not_during_the_reader(db):
    contention, _ = _measure(db, "CREATE INDEX ix_tickets_title ON tickets (title)")
    assert (contention.table, contention.mode) == ("tickets", "ShareLock")
    assert contention.as_written.lock_wait_ms < 100  # ACCESS SHARE does not conflict with SHARE
    assert contention.as_written.app_blocked == 0


def test_statements_that_take_no_conflicting_lock_on_an_existing_table_are_not_measured(db):
    assert _measure(db, "CREATE TABLE agents (id int)")[0] is None
    assert _measure(db, "SELECT count(*) FROM tickets")[0] is None
    # Only the first statement of a transaction that locks the table: the second one finds it already held.
    options = ContentionOptions(reader_seconds=0.2, connections=2)
    measurer = Measurer(lambda: db.connect(autocommit=True), options)
    with db.connect() as migration:
        existing = {row[0] for row in migration.execute("SELECT oid FROM pg_class WHERE relname = 'tickets'")}
        first = measurer.in_transaction(migration, "ALTER TABLE tickets ADD COLUMN a int", None, existing, {}, True)
        migration.execute("ALTER TABLE tickets ADD COLUMN a int")
        second = measurer.in_transaction(migration, "ALTER TABLE tickets ADD COLUMN b int", None, existing, {}, False)
        migration.rollback()
        # Once per table per transaction, even when a later statement takes a stronger lock on it.
        index = measurer.in_transaction(migration, "CREATE INDEX ix_a ON tickets (id)", None, existing, {}, True)
        migration.execute("CREATE INDEX ix_a ON tickets (id)")
        stronger = measurer.in_transaction(migration, "ALTER TABLE tickets ADD COLUMN b int", None, existing, {},
                                           False)
        migration.rollback()
        # A new transaction measures the table again.
        again = measurer.in_transaction(migration, "ALTER TABLE tickets ADD COLUMN b int", None, existing, {}, True)
        migration.rollback()
    assert first is not None and second is None
    assert index is not None and index.mode == "ShareLock" and stronger is None
    assert again is not None


def test_every_connection_and_thread_of_a_scene_is_gone_afterwards(db):
    _measure(db, "ALTER TABLE tickets ADD COLUMN channel text")
    assert _other_sessions(db) == []
    assert _scene_threads() == []


def test_an_interrupted_scene_leaves_no_connection_or_thread_behind(db):
    options = ContentionOptions(reader_seconds=5, connections=4)
    measurer = Measurer(lambda: db.connect(autocommit=True), options)
    with db.connect() as migration:
        target = measurer_target(migration)

        def interrupted(cursor: psycopg.Cursor) -> None:
            raise KeyboardInterrupt  # Ctrl-C while the migration statement waits

        with pytest.raises(KeyboardInterrupt):
            measurer._run(migration, target, interrupted)
        migration.rollback()
    assert _other_sessions(db) == []
    assert _scene_threads() == []


def measurer_target(conn: psycopg.Connection):
    from migsafe.replay.contention import _targets

    with conn.cursor() as cursor:
        oid = cursor.execute("SELECT 'tickets'::regclass::oid").fetchone()[0]
        return _targets(cursor, {oid: "AccessExclusiveLock"})[0]


# --------------------------------------------------------------------------------------------- the command


def _cli(*args: str, cwd):
    import os
    import subprocess
    import sys

    return subprocess.run([sys.executable, "-m", "migsafe", "replay", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=300, env={**os.environ, "COLUMNS": "200"})


@needs_sqlalchemy_2
def test_replay_contention_reports_the_queue_in_json_markdown_and_the_timeline(tmp_path):
    import json

    write_history(tmp_path / "versions", [USERS_TABLE, 'op.add_column("users", sa.Column("nick", sa.Text()))'])
    svg = tmp_path / "timeline.svg"
    args = ("versions", "--rows", "50", "--contention", "--contention-reader", "1", "--contention-rate", "10")
    result = _cli(*args, "--format", "json", "--timeline", str(svg), cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    data = json.loads(result.stdout)
    [measured] = [s for s in data["statements"] if s["contention"]]
    c = measured["contention"]
    assert c["table"] == "users" and c["mode"] == "AccessExclusiveLock"
    assert {"lock_wait_ms", "lock_held_ms", "app_queries", "app_blocked", "app_wait_max_ms", "app_wait_p99_ms",
            "app_errors"} <= set(c) <= set(c["with_timeout"]) | {"table", "mode", "reader_seconds", "app_rate",
                                                                   "with_timeout", "note", "words"}
    assert abs(c["app_wait_max_ms"] - 1000) <= 300 and c["app_blocked"] > 0
    assert c["with_timeout"]["lock_timeout"] == "2s" and not c["with_timeout"]["gave_up"]  # 1 s reader < 2 s
    assert data["contention"]["lock_timeout_source"] == "migsafe's suggested value (the project sets none)"
    up_to = f"blocked up to {c['app_wait_max_ms'] / 1000:.1f} s"
    assert c["words"].startswith(f"without lock_timeout: {c['app_blocked']} application queries on `users` {up_to} "
                                 f"while the migration waited {c['lock_wait_ms'] / 1000:.1f} s behind a 1 s report "
                                 "query; with lock_timeout = 2s")
    [finding] = [f for f in data["findings"] if f["rule"] == "missing-lock-timeout"]
    assert f"under contention: {c['app_blocked']} application queries on users {up_to}" in finding["replay_detail"]
    picture = svg.read_text()
    assert picture.startswith("<svg") and picture.count("<rect") >= 6  # reader, wait, hold, blocked; two runs

    markdown = _cli(*args, "--format", "markdown", cwd=tmp_path).stdout
    assert "| line | table | run | lock wait |" in markdown and "```mermaid" in markdown
    assert "migration waits :crit," in markdown


def test_timeline_needs_contention(tmp_path):
    result = _cli("versions", "--timeline", str(tmp_path / "t.svg"), cwd=tmp_path)
    assert result.returncode == 2 and "--timeline draws what --contention measures" in result.stderr


@needs_sqlalchemy_2
def test_ctrl_c_during_a_scene_leaves_no_server_connection_or_directory(tmp_path):
    import signal
    import time

    from replay.test_replay import start_replay, stop_replay

    write_history(tmp_path / "versions", [USERS_TABLE, 'op.add_column("users", sa.Column("nick", sa.Text()))'])
    process, created = start_replay(tmp_path, "versions", "--rows", "10", "--contention", "--contention-reader", "120")
    # The scene is on once the reader, the monitor and the application's 8 connections are in (the cluster's own
    # processes and replay's two connections are about 8).
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and max(len(processes_in(d)) for d in created) < 15:
        time.sleep(0.1)
    time.sleep(0.5)
    assert stop_replay(process, created, signal.SIGINT) == 130  # Ctrl-C, cleaned up
