"""Measure the throughputs behind review estimates (migsafe/stats/estimate.py) on a scratch database.

``migsafe calibrate`` and ``benchmarks/throughputs.py`` / ``benchmarks/estimates.py`` share this code, so the
numbers a review uses are measured exactly the way the benchmarks check them. It fills a table of N rows shaped
like an application table (bigint primary key, two integers, a 60-character text) and times each operation whose
duration a review estimates, on a fresh copy of the table each time:

* rewrite: ``ALTER COLUMN n TYPE bigint`` (heap and every index rewritten), MB/s of table + indexes;
* seq scan: ``ALTER COLUMN n SET NOT NULL`` (a full scan, nothing written), MB/s of table;
* CHECK validation: ``ADD CONSTRAINT ... CHECK (n >= 0)``, rows/s;
* FK validation: ``ADD CONSTRAINT ... FOREIGN KEY (x) REFERENCES parent``, rows/s;
* btree build: ``CREATE INDEX ON t (n)``, rows/s;
* UPDATE back-fill: ``UPDATE t SET x = n`` (every row, in one transaction), rows/s.

Where it runs: replay's throwaway cluster (migsafe/replay/server.py) started with production durability
(:data:`DURABLE`: replay turns fsync, synchronous_commit and full_page_writes off, which flatters every write),
or a database of its own on ``--database-url`` (created and dropped by replay's throwaway-role code), which is
refused when the URL's database holds tables: calibration writes hundreds of MB and saturates the disk, so it
must not run on a server that serves an application (:func:`refuse_user_tables`).
"""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Callable, Mapping, Sequence

import psycopg

from migsafe.errors import UsageError
from migsafe.stats.calibration import Calibration

#: Production durability for a local cluster: the settings replay switches off, switched back on.
DURABLE: Mapping[str, bool] = {"fsync": True, "synchronous_commit": True, "full_page_writes": True}

#: The settings a calibration file records, as the server reports them (``SHOW``).
DURABILITY_SETTINGS = ("fsync", "synchronous_commit", "full_page_writes")

#: Default size and repetitions: 10^5 rows (about 13 MB) is big enough that per-row work dominates fixed costs,
#: small enough that the whole run takes seconds; the median of 3 runs tames a noisy neighbour.
DEFAULT_ROWS = 100_000
DEFAULT_RUNS = 3
MAX_ROWS = 10_000_000

MB = 1024 * 1024

SETUP = """
DROP TABLE IF EXISTS t; DROP TABLE IF EXISTS parent;
CREATE TABLE parent (id int PRIMARY KEY);
INSERT INTO parent SELECT g FROM generate_series(0, 999) g;
CREATE TABLE t (id bigserial PRIMARY KEY, n int, x int, payload text);
INSERT INTO t (n, x, payload) SELECT g, g % 1000, md5(g::text) || repeat('x', 28) FROM generate_series(1, {rows}) g;
VACUUM ANALYZE t; VACUUM ANALYZE parent;
"""


@dataclass(frozen=True)
class Operation:
    """One measured operation: the statement and what its throughput is counted in."""

    statement: str
    unit: str  # "table_mb" (heap), "total_mb" (heap + indexes) or "rows"
    kind: str  # the migsafe.stats.estimate kind whose duration it is


#: Throughputs field -> how it is measured (the names are estimate.Throughputs' fields).
OPERATIONS: dict[str, Operation] = {
    "rewrite_mb_s": Operation("ALTER TABLE t ALTER COLUMN n TYPE bigint", "total_mb", "rewrite"),
    "seq_scan_mb_s": Operation("ALTER TABLE t ALTER COLUMN n SET NOT NULL", "table_mb", "scan"),
    "check_validation_rows_s": Operation("ALTER TABLE t ADD CONSTRAINT n_positive CHECK (n >= 0)", "rows", "check"),
    "fk_validation_rows_s": Operation("ALTER TABLE t ADD CONSTRAINT t_x_fk FOREIGN KEY (x) REFERENCES parent (id)",
                                      "rows", "fk"),
    "btree_build_rows_s": Operation("CREATE INDEX ix_t_n ON t (n)", "rows", "index"),
    "update_backfill_rows_s": Operation("UPDATE t SET x = n", "rows", "backfill"),
}


@dataclass(frozen=True)
class Timing:
    """One statement's wall-clock duration and the size of the table it ran on (sizes read just before)."""

    seconds: float
    rows: int
    table_bytes: int
    index_bytes: int

    def throughput(self, unit: str) -> float:
        amount = {"table_mb": self.table_bytes / MB, "total_mb": (self.table_bytes + self.index_bytes) / MB,
                  "rows": float(self.rows)}[unit]
        return amount / max(self.seconds, 1e-6)


def fill(conn: psycopg.Connection, rows: int) -> None:
    """(Re)create the measured table ``t`` with ``rows`` rows, and its 1,000-row ``parent``."""
    with conn.cursor() as cur:
        for part in SETUP.format(rows=int(rows)).split(";"):
            if part.strip():
                cur.execute(part)


def time_statement(conn: psycopg.Connection, statement: str, rows: int) -> Timing:
    """Run ``statement`` in its own transaction on the filled table and time it (autocommit connection)."""
    with conn.cursor() as cur:
        cur.execute("SELECT pg_table_size('t'), pg_indexes_size('t')")
        table_bytes, index_bytes = cur.fetchone()  # type: ignore[misc]
        started = time.perf_counter()
        with conn.transaction():
            cur.execute(statement)
        seconds = time.perf_counter() - started
    return Timing(seconds=seconds, rows=rows, table_bytes=int(table_bytes), index_bytes=int(index_bytes))


def measure(conn: psycopg.Connection, rows: int, runs: int = DEFAULT_RUNS,
            progress: Callable[[str], None] | None = None) -> dict[str, float]:
    """The median throughput of each of :data:`OPERATIONS` over ``runs`` fresh tables of ``rows`` rows."""
    results: dict[str, float] = {}
    for name, operation in OPERATIONS.items():
        if progress:
            progress(name)
        values = []
        for _ in range(runs):
            fill(conn, rows)
            values.append(time_statement(conn, operation.statement, rows).throughput(operation.unit))
        results[name] = statistics.median(values)
    with conn.cursor() as cur:
        cur.execute("DROP TABLE IF EXISTS t; DROP TABLE IF EXISTS parent")
    return results


def durability(conn: psycopg.Connection) -> dict[str, str]:
    """The server's durability settings as it reports them, for the calibration file."""
    values = {}
    with conn.cursor() as cur:
        for name in DURABILITY_SETTINGS:
            cur.execute(f"SHOW {name}")
            row = cur.fetchone()
            values[name] = str(row[0]) if row else "unknown"
    return values


def refuse_user_tables(database_url: str) -> None:
    """Raise :class:`UsageError` when the URL's database holds tables: that is an application's database, and
    calibration belongs on a server that serves none (it writes hundreds of MB as fast as the disk allows)."""
    from psycopg.conninfo import make_conninfo

    from migsafe.database_url import describe_server, first_line, parse_database_url
    from migsafe.replay.server import ServerError

    params = parse_database_url(database_url)
    where = describe_server(params)
    try:
        with psycopg.connect(make_conninfo(**params), connect_timeout=int(params.get("connect_timeout", 10))) as conn:
            row = conn.execute(
                "SELECT count(*), min(n.nspname || '.' || c.relname) FROM pg_class c "
                "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('r', 'p', 'm') "
                "AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'"
            ).fetchone()
    except psycopg.Error as error:
        raise ServerError(f"cannot connect to --database-url ({where}): {first_line(error)}") from None
    count, first = row if row else (0, None)
    if count:
        raise UsageError(f"--database-url {where} holds {count} table{'s' if count != 1 else ''} (e.g. {first}): "
                         "calibrate only on a server with an empty database (it loads the server hard); "
                         "point it at an empty database, or leave out --database-url for a throwaway cluster")


def _where(database_url: str) -> str:
    """user@host:port/db of the URL, never its password (the file may be shared)."""
    from migsafe.database_url import describe_server, parse_database_url

    return describe_server(parse_database_url(database_url))


def calibrate(database_url: str | None = None, *, rows: int = DEFAULT_ROWS, runs: int = DEFAULT_RUNS,
              pg_bin: str | None = None, search_dirs: Sequence[str] | None = None,
              progress: Callable[[str], None] | None = None) -> Calibration:
    """Measure every throughput on a scratch database (see the module docstring for which)."""
    from migsafe.replay.server import scratch_database

    if not 1_000 <= rows <= MAX_ROWS:
        raise UsageError(f"--rows must be between 1000 and {MAX_ROWS:,}, not {rows}")
    if runs < 1:
        raise UsageError(f"--runs must be at least 1, not {runs}")
    if database_url is not None:
        refuse_user_tables(database_url)
    settings = None if database_url is not None else DURABLE
    with scratch_database(database_url, pg_bin, settings=settings, search_dirs=search_dirs) as db, \
            db.connect(autocommit=True) as conn:
        measured = measure(conn, rows, runs, progress)
        server = "throwaway local cluster" if database_url is None else f"scratch database on {_where(database_url)}"
        return Calibration(throughputs=measured, rows=rows, runs=runs,
                           taken_at=datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
                           server_version=db.server_version, server=server, durability=durability(conn))
