"""`migsafe calibrate` against a real PostgreSQL (never a mock): a throwaway cluster with production durability by
default, or a scratch database of its own on --database-url, refused on a database that holds tables."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Iterator
from urllib.parse import quote

import pytest

from migsafe.errors import UsageError
from migsafe.replay import server
from migsafe.replay.server import ScratchDatabase, ServerUnavailableError, find_server_binaries
from migsafe.stats import calibration
from migsafe.replay.calibrate import OPERATIONS, calibrate
from pty_run import environment

try:
    BINARIES: server.ServerBinaries | None = find_server_binaries()
except ServerUnavailableError:
    BINARIES = None

pytestmark = pytest.mark.skipif(BINARIES is None, reason="no PostgreSQL server binaries found; install PostgreSQL")

ROWS = 2000  # small: these tests check where and how calibration runs, not how fast the machine is


@pytest.fixture(scope="module")
def cluster() -> Iterator[ScratchDatabase]:
    """The user's server: replay's own cluster settings (fsync off), an empty database and one with a table."""
    assert BINARIES is not None
    with server.local_cluster(BINARIES) as db:
        with db.connect(autocommit=True) as conn:
            conn.execute("CREATE DATABASE empty")
            conn.execute("CREATE DATABASE app")
        with db.connect(dbname="app", autocommit=True) as conn:
            conn.execute("CREATE TABLE orders (id int PRIMARY KEY)")
        yield db


def _url(cluster: ScratchDatabase, dbname: str) -> str:
    return f"postgresql://postgres@/{dbname}?host={quote(str(cluster.directory), safe='')}"


def _databases(cluster: ScratchDatabase) -> set[str]:
    with cluster.connect() as conn:
        return {name for (name,) in conn.execute("SELECT datname FROM pg_database").fetchall()}


def test_the_local_cluster_runs_with_production_durability():
    result = calibrate(rows=ROWS, runs=1)
    assert result.durability == {"fsync": "on", "synchronous_commit": "on", "full_page_writes": "on"}
    assert result.server == "throwaway local cluster" and result.rows == ROWS and result.runs == 1
    assert set(result.throughputs) == set(OPERATIONS) == set(calibration.THROUGHPUT_FIELDS)
    assert all(value > 0 for value in result.throughputs.values())


def test_database_url_measures_in_a_database_of_its_own_and_drops_it(cluster):
    before = _databases(cluster)
    result = calibrate(_url(cluster, "empty"), rows=ROWS, runs=1)
    assert result.server.startswith("scratch database on postgres@")
    # The user's server keeps its own settings, and the file says what they were.
    assert result.durability["fsync"] == "off"
    assert _databases(cluster) == before
    with cluster.connect(dbname="empty") as conn:
        assert conn.execute("SELECT count(*) FROM pg_class WHERE relname IN ('t', 'parent')").fetchone() == (0,)


def test_database_url_whose_database_has_tables_is_refused_before_anything_is_created(cluster):
    before = _databases(cluster)
    with pytest.raises(UsageError, match=r"holds 1 table \(e\.g\. public\.orders\): calibrate only on"):
        calibrate(_url(cluster, "app"), rows=ROWS, runs=1)
    assert _databases(cluster) == before


def _cli(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "migsafe", "calibrate", *args], cwd=tmp_path, env=environment(),
                          capture_output=True, text=True, timeout=300)


def test_cli_writes_a_file_that_a_review_loads(cluster, tmp_path):
    done = _cli(tmp_path, "--database-url", _url(cluster, "empty"), "--rows", str(ROWS), "--runs", "1",
                "-o", "cal.json")
    assert done.returncode == 0, done.stderr
    assert done.stderr.startswith("migsafe: wrote throughputs measured on 2,000 rows (scratch database on ")
    assert "fsync off, synchronous_commit off, full_page_writes off" in done.stderr
    data = json.loads((tmp_path / "cal.json").read_text())
    assert data["migsafe_calibration"] == 1 and data["rows"] == ROWS
    throughputs = calibration.load(tmp_path / "cal.json", "cal.json")
    assert throughputs.rewrite_mb_s == data["throughputs"]["rewrite_mb_s"]
    assert throughputs.source.startswith("calibrated in cal.json, 20")


def test_cli_refusal_and_bad_options_are_one_line(cluster, tmp_path):
    for args, message in (
        (["--database-url", _url(cluster, "app")], "holds 1 table"),
        (["--rows", "10"], "--rows must be between 1000 and 10,000,000, not 10"),
        (["-o", "missing/cal.json"], "--output missing/cal.json: cannot write there"),
    ):
        done = _cli(tmp_path, *args)
        assert done.returncode == 2 and done.stdout == ""
        assert done.stderr.startswith("migsafe: error: ") and message in done.stderr
        assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
