"""`migsafe stats` against a real PostgreSQL (a throwaway local cluster, never a mock): what it reads, that it
never writes, and that it never waits behind a lock a migration holds."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Iterator

import psycopg
import pytest

from migsafe.replay import server
from migsafe.replay.server import ScratchDatabase, ServerUnavailableError, find_server_binaries
from migsafe.stats.collect import (
    DEFAULT_LOCK_TIMEOUT,
    DEFAULT_STATEMENT_TIMEOUT,
    collect,
    parse_database_url,
    read_only_session,
)
from migsafe.stats.snapshot import Snapshot, Table, load
from pty_run import environment
from test_stats_snapshot import validate

try:
    BINARIES: server.ServerBinaries | None = find_server_binaries()
except ServerUnavailableError:
    BINARIES = None

pytestmark = pytest.mark.skipif(BINARIES is None, reason="no PostgreSQL server binaries found; install PostgreSQL")

SAFETY = 120  # seconds: a run that waits behind a lock fails the test instead of hanging it (not a timing check)

# Autovacuum is off on every table that must stay as the test left it (it would analyse "never analysed" ones).
SCHEMA = """
CREATE TABLE small (id int PRIMARY KEY, label text);
INSERT INTO small SELECT g, 'row ' || g FROM generate_series(1, 12) g;
CREATE TABLE big (id int PRIMARY KEY, body text, n int);
CREATE INDEX big_n ON big (n);
INSERT INTO big SELECT g, md5(g::text), g % 97 FROM generate_series(1, 60000) g;
-- Values too large for a page, stored out of line: TOAST (random, so compression cannot shrink them away)
CREATE TABLE docs (id int PRIMARY KEY, body text);
INSERT INTO docs SELECT g, (SELECT string_agg(md5(random()::text), '') FROM generate_series(1, 200) WHERE g > 0)
  FROM generate_series(1, 300) g;
CREATE TABLE events (id int, region int, at int) PARTITION BY RANGE (id);
CREATE TABLE events_a PARTITION OF events FOR VALUES FROM (0) TO (10000);
CREATE TABLE events_b PARTITION OF events FOR VALUES FROM (10000) TO (40000) PARTITION BY LIST (region);
CREATE TABLE events_b1 PARTITION OF events_b FOR VALUES IN (1);
CREATE TABLE events_b2 PARTITION OF events_b FOR VALUES IN (2);
INSERT INTO events SELECT g, 1 + g % 2, g FROM generate_series(0, 39999) g;
CREATE TABLE never (id int, body text) WITH (autovacuum_enabled = off);
INSERT INTO never SELECT g, md5(g::text) FROM generate_series(1, 5000) g;
CREATE TABLE later (id int) PARTITION BY RANGE (id);
CREATE TABLE later_now PARTITION OF later FOR VALUES FROM (0) TO (100);
CREATE TABLE later_next PARTITION OF later FOR VALUES FROM (100) TO (200) WITH (autovacuum_enabled = off);
INSERT INTO later SELECT g FROM generate_series(0, 99) g;
CREATE TABLE unseen (id int) PARTITION BY RANGE (id);
CREATE TABLE unseen_1 PARTITION OF unseen FOR VALUES FROM (0) TO (100) WITH (autovacuum_enabled = off);
INSERT INTO unseen SELECT g FROM generate_series(0, 99) g;
CREATE MATERIALIZED VIEW big_by_n AS SELECT n, count(*) FROM big GROUP BY n;
"""
MEASURED = ["small", "big", "docs", "events_a", "events_b1", "events_b2", "later_now", "big_by_n"]


@pytest.fixture(scope="module")
def cluster() -> Iterator[ScratchDatabase]:
    assert BINARIES is not None
    with server.local_cluster(BINARIES) as db:
        with db.connect(autocommit=True) as conn:
            conn.execute(SCHEMA)
            for table in MEASURED:
                conn.execute(f"ALTER TABLE {table} SET (autovacuum_enabled = off)")
                conn.execute(f"VACUUM ANALYZE {table}")  # VACUUM: TOAST is measured only by VACUUM, not ANALYZE
        yield db


@pytest.fixture(scope="module")
def snapshot(cluster: ScratchDatabase) -> Snapshot:
    return collect(cluster.conninfo)


def _table(snapshot: Snapshot, name: str) -> Table:
    table = snapshot.table("public", name)
    assert table is not None, f"{name} is not in the snapshot"
    return table


def _real_sizes(cluster: ScratchDatabase, name: str) -> tuple[int, int, int]:
    """What the (locking) size functions say: rows counted, heap+TOAST bytes without the free-space and
    visibility maps, index bytes."""
    with cluster.connect() as conn:
        return conn.execute(
            f"SELECT (SELECT count(*) FROM {name}), "
            f"pg_relation_size('{name}') + coalesce(pg_total_relation_size(NULLIF(reltoastrelid, 0)), 0), "
            f"pg_indexes_size('{name}') FROM pg_class WHERE oid = '{name}'::regclass").fetchone()  # type: ignore


@pytest.mark.parametrize("name", ["small", "big", "docs", "big_by_n"])
def test_rows_and_sizes_of_measured_tables_are_what_the_size_functions_say(cluster, snapshot, name):
    table = _table(snapshot, name)
    rows, table_bytes, index_bytes = _real_sizes(cluster, name)
    assert table.rows_source == "reltuples"
    assert table.rows == pytest.approx(rows, rel=0.05)
    assert table.table_bytes == pytest.approx(table_bytes, rel=0.05)
    assert table.index_bytes == pytest.approx(index_bytes, rel=0.05)
    assert table.activity.last_vacuum_or_analyze is not None


def test_toast_is_counted_in_table_bytes(cluster, snapshot):
    docs = _table(snapshot, "docs")
    with cluster.connect() as conn:
        heap_only = conn.execute("SELECT pg_relation_size('docs')").fetchone()[0]  # type: ignore[index]
    assert docs.table_bytes is not None and docs.table_bytes > 10 * heap_only  # nearly all of it is TOAST


def test_kinds_and_the_activity_counters(snapshot):
    big = _table(snapshot, "big")
    assert (big.kind, _table(snapshot, "big_by_n").kind, _table(snapshot, "events").kind) == \
        ("table", "materialized_view", "partitioned_table")
    assert big.activity.n_tup_ins == 60000 and big.activity.n_tup_upd == big.activity.n_tup_del == 0
    assert big.activity.seq_scan >= 1  # the materialized view's query read it
    assert big.activity.idx_scan is not None and _table(snapshot, "events_a").activity.idx_scan is None
    assert snapshot.source == "primary" and snapshot.database == "postgres"
    assert snapshot.server_version.split(".")[0] == str(snapshot.server_version_num // 10000)


def test_a_partitioned_table_is_the_sum_of_its_partitions_at_every_level(snapshot):
    events, sub = _table(snapshot, "events"), _table(snapshot, "events_b")
    leaves = [_table(snapshot, name) for name in ("events_a", "events_b1", "events_b2")]
    assert (events.rows_source, events.partitions.leaves, events.partitions.without_estimate) == \
        ("partitions", 3, 0)  # type: ignore[union-attr]
    assert events.rows == sum(leaf.rows for leaf in leaves) == pytest.approx(40000, rel=0.05)  # type: ignore[misc]
    assert events.table_bytes == sum(leaf.table_bytes for leaf in leaves)  # type: ignore[misc]
    assert sub.rows == leaves[1].rows + leaves[2].rows  # type: ignore[operator]
    assert sub.partition_of == "public.events" and leaves[1].partition_of == "public.events_b"
    assert events.activity.n_tup_ins == 40000


def test_a_never_analysed_table_has_unknown_rows_and_sizes_not_zero(snapshot):
    never = _table(snapshot, "never")
    assert (never.rows, never.rows_source, never.table_bytes, never.index_bytes) == (None, "unknown", None, None)
    assert never.activity.last_vacuum_or_analyze is None
    assert never.activity.n_tup_ins == 5000  # the counters still say it is not empty


def test_a_partitioned_table_sums_the_partitions_it_can_and_counts_the_others(snapshot):
    later = _table(snapshot, "later")  # a future partition, not yet analysed: the sum of the rest, marked
    assert (later.rows, later.rows_source, later.partitions.without_estimate) == \
        (100, "partitions", 1)  # type: ignore[union-attr]
    assert later.activity.last_vacuum_or_analyze is None  # its oldest measurement: never
    unseen = _table(snapshot, "unseen")  # no partition measured: unknown, not 0
    assert (unseen.rows, unseen.rows_source, unseen.table_bytes) == (None, "unknown", None)


def test_the_session_is_read_only_with_short_timeouts(cluster):
    params = parse_database_url(cluster.conninfo)
    with read_only_session(params, "test", lock_timeout=DEFAULT_LOCK_TIMEOUT,
                           statement_timeout=DEFAULT_STATEMENT_TIMEOUT) as conn:
        assert conn.execute("SHOW transaction_read_only").fetchone() == ("on",)
        assert conn.execute("SHOW lock_timeout").fetchone() == ("100ms",)
        assert conn.execute("SHOW statement_timeout").fetchone() == ("30s",)
        with pytest.raises(psycopg.errors.ReadOnlySqlTransaction):
            conn.execute("CREATE TABLE written_by_stats (id int)")


def _stats(*args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "migsafe", "stats", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=SAFETY, env=environment(**env))


@pytest.mark.parametrize("holder", [
    "LOCK TABLE big IN ACCESS EXCLUSIVE MODE",
    "ALTER TABLE big ALTER COLUMN id TYPE bigint",  # a migration mid-rewrite: ACCESS EXCLUSIVE, pg_class changed
])
def test_it_does_not_wait_behind_an_access_exclusive_lock(cluster, snapshot, tmp_path, holder):
    with cluster.connect() as blocker:
        blocker.execute(holder)  # the transaction stays open, the lock held, until the block ends
        assert ("AccessExclusiveLock",) in blocker.execute(
            "SELECT mode FROM pg_locks WHERE relation = 'big'::regclass AND granted AND pid = pg_backend_pid()")
        result = _stats("--database-url", cluster.conninfo, "-o", str(tmp_path / "s.json"), cwd=tmp_path)
        blocker.rollback()
    assert result.returncode == 0, result.stderr
    big = load(tmp_path / "s.json").table("public", "big")
    assert big is not None and big.rows == _table(snapshot, "big").rows  # from the catalog, as it was committed


def test_the_command_writes_a_valid_snapshot_to_a_file_or_stdout(cluster, tmp_path):
    target = tmp_path / "migsafe-stats.json"
    written = _stats("--database-url", cluster.conninfo, "-o", str(target), cwd=tmp_path)
    assert written.returncode == 0 and written.stdout == ""
    assert f"to {target}" in written.stderr and "primary, PostgreSQL" in written.stderr
    printed = _stats("--database-url", cluster.conninfo, cwd=tmp_path)
    assert printed.returncode == 0, printed.stderr
    for text in (target.read_text("utf-8"), printed.stdout):
        data = json.loads(text)
        validate(data)
        assert {table["name"] for table in data["tables"]} >= set(MEASURED)


def test_migsafe_database_url_is_not_read(cluster, tmp_path):
    result = _stats(cwd=tmp_path, MIGSAFE_DATABASE_URL=cluster.conninfo)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr == ("migsafe: error: stats needs --database-url URL (MIGSAFE_DATABASE_URL is replay's "
                             "and is not read)\n")


@pytest.mark.parametrize(("url", "message"), [
    ("mysql://me@db/app", "--database-url must be a postgresql:// URL, got mysql://..."),
    ("postgresql://me:secret@/app?host=/nonexistent-socket-dir",
     "cannot connect to --database-url (me@/nonexistent-socket-dir/app): "),
])
def test_a_bad_url_is_one_line_and_exit_2(tmp_path, url, message):
    result = _stats("--database-url", url, cwd=tmp_path)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.startswith(f"migsafe: error: {message}") and result.stderr.count("\n") == 1
    assert "Traceback" not in result.stderr and "secret" not in result.stderr


def test_a_role_without_any_privilege_on_the_tables_reads_the_same(cluster, snapshot):
    with cluster.connect(autocommit=True) as conn:
        conn.execute("DROP ROLE IF EXISTS watcher; CREATE ROLE watcher LOGIN")
    params = {**parse_database_url(cluster.conninfo), "user": "watcher"}
    seen = collect(" ".join(f"{key}={value}" for key, value in params.items()))

    def sizes(snap: Snapshot) -> list[tuple[object, ...]]:
        return [(t.schema, t.name, t.rows, t.table_bytes, t.index_bytes, t.activity.n_tup_ins) for t in snap.tables]

    assert sizes(seen) == sizes(snapshot)


def test_a_standby_is_recorded_as_one(monkeypatch):
    """A real server in standby mode: initdb's cluster started with standby.signal (hot standby, no primary to
    follow), which is what a replica looks like to a client."""
    assert BINARIES is not None
    initdb = server._initdb

    def initdb_as_standby(binaries, directory, user):  # type: ignore[no-untyped-def]
        initdb(binaries, directory, user)
        (directory / "data" / "standby.signal").touch()

    monkeypatch.setattr(server, "_initdb", initdb_as_standby)
    with server.local_cluster(BINARIES) as db:
        with db.connect() as conn:
            assert conn.execute("SELECT pg_is_in_recovery()").fetchone() == (True,)
        standby = collect(db.conninfo)
    assert standby.source == "standby" and standby.database == "postgres" and standby.tables == ()


def test_an_output_path_that_cannot_be_written_is_refused_before_connecting(tmp_path):
    result = _stats("--database-url", "postgresql://me@/app?host=/nonexistent-socket-dir",
                    "-o", str(tmp_path / "missing" / "s.json"), cwd=tmp_path)
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == (f"migsafe: error: --output {tmp_path / 'missing' / 's.json'}: cannot write there "
                             "(no such directory, or a directory)\n")
