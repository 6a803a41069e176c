"""Measure the throughputs behind ``migsafe review --stats`` estimates (migsafe/stats/estimate.py) on this machine.

Starts replay's throwaway cluster (migsafe/replay/server.py) with production durability (``fsync``,
``synchronous_commit`` and ``full_page_writes`` on: replay turns them off, which flatters every write), fills a
table of N rows shaped like an application table (bigint primary key, two integers, a 60-character text), and
times each operation whose duration a review estimates:

* rewrite: ``ALTER COLUMN n TYPE bigint`` (heap and every index rewritten), MB/s of table + indexes;
* seq scan: ``ALTER COLUMN n SET NOT NULL`` (a full scan, nothing written), MB/s of table;
* CHECK validation: ``ADD CONSTRAINT ... CHECK (n >= 0)``, rows/s;
* FK validation: ``ADD CONSTRAINT ... FOREIGN KEY (x) REFERENCES parent``, rows/s;
* btree build: ``CREATE INDEX ON t (n)``, rows/s (and MB/s of index written);
* UPDATE back-fill: ``UPDATE t SET x = n`` (every row, in one transaction), rows/s.

Each is run on a fresh copy of the table, ``--runs`` times; the median is printed, and, with ``--compare-fsync-off``,
the ratio fsync-off ÷ fsync-on (how much replay's settings flatter each), and for each size the measured duration
÷ the point estimate from the built-in defaults (1.0: exactly as estimated; the reported range is x0.5..x2).
Prints numbers, asserts nothing.

    python benchmarks/throughputs.py --rows 100000 --rows 1000000
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # this checkout's migsafe, not an installed one

from migsafe.replay.server import scratch_database
from migsafe.stats.estimate import DEFAULT_THROUGHPUTS

DURABLE = {"fsync": True, "synchronous_commit": True, "full_page_writes": True}
MB = 1024 * 1024

SETUP = """
DROP TABLE IF EXISTS t; DROP TABLE IF EXISTS parent;
CREATE TABLE parent (id int PRIMARY KEY);
INSERT INTO parent SELECT g FROM generate_series(0, 999) g;
CREATE TABLE t (id bigserial PRIMARY KEY, n int, x int, payload text);
INSERT INTO t (n, x, payload) SELECT g, g % 1000, md5(g::text) || repeat('x', 28) FROM generate_series(1, {rows}) g;
VACUUM ANALYZE t; VACUUM ANALYZE parent;
"""

# name -> (statement, unit): unit "table_mb", "total_mb" (table + indexes) or "rows".
OPERATIONS: dict[str, tuple[str, str]] = {
    "rewrite_mb_s": ("ALTER TABLE t ALTER COLUMN n TYPE bigint", "total_mb"),
    "seq_scan_mb_s": ("ALTER TABLE t ALTER COLUMN n SET NOT NULL", "table_mb"),
    "check_validation_rows_s": ("ALTER TABLE t ADD CONSTRAINT n_positive CHECK (n >= 0)", "rows"),
    "fk_validation_rows_s": ("ALTER TABLE t ADD CONSTRAINT t_x_fk FOREIGN KEY (x) REFERENCES parent (id)", "rows"),
    "btree_build_rows_s": ("CREATE INDEX ix_t_n ON t (n)", "rows"),
    "update_backfill_rows_s": ("UPDATE t SET x = n", "rows"),
}


def measure(conn: psycopg.Connection, rows: int, statement: str, unit: str) -> float:
    with conn.cursor() as cur:
        for part in SETUP.format(rows=rows).split(";"):
            if part.strip():
                cur.execute(part)
        cur.execute("SELECT pg_table_size('t'), pg_indexes_size('t')")
        table_bytes, index_bytes = cur.fetchone()  # type: ignore[misc]
        cur.execute("CHECKPOINT") if _superuser(conn) else None
        started = time.perf_counter()
        with conn.transaction():
            cur.execute(statement)
        seconds = time.perf_counter() - started
    amount = {"table_mb": table_bytes / MB, "total_mb": (table_bytes + index_bytes) / MB, "rows": rows}[unit]
    return amount / seconds


def _superuser(conn: psycopg.Connection) -> bool:
    with conn.cursor() as cur:
        cur.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        row = cur.fetchone()
    return bool(row and row[0])


def run(settings: dict[str, object], sizes: list[int], runs: int) -> tuple[str, dict[tuple[str, int], float]]:
    results: dict[tuple[str, int], float] = {}
    with scratch_database(settings=settings) as db, db.connect(autocommit=True) as conn:
        for rows in sizes:
            for name, (statement, unit) in OPERATIONS.items():
                values = [measure(conn, rows, statement, unit) for _ in range(runs)]
                results[(name, rows)] = statistics.median(values)
        return db.server_version, results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, action="append", help="table sizes (default 100000 and 1000000)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--compare-fsync-off", action="store_true",
                        help="also measure with replay's fsync-off settings and print off / on")
    args = parser.parse_args(argv)
    sizes = args.rows or [100_000, 1_000_000]
    version, durable = run(DURABLE, sizes, args.runs)
    flattered: dict[tuple[str, int], float] = {}
    if args.compare_fsync_off:
        _, flattered = run({}, sizes, args.runs)
    print(f"PostgreSQL {version}, fsync on, median of {args.runs}")
    header = f"{'operation':26}" + "".join(f"{rows:>14,}" for rows in sizes)
    print(header + "   measured / estimate" + ("   fsync off / on" if flattered else ""))
    for name in OPERATIONS:
        line = f"{name:26}" + "".join(f"{durable[(name, rows)]:>14,.0f}" for rows in sizes)
        # A duration is amount / throughput: measured / estimated duration = default / measured throughput.
        default = getattr(DEFAULT_THROUGHPUTS, name)
        line += "   " + " ".join(f"{default / durable[(name, rows)]:.2f}" for rows in sizes)
        if flattered:
            line += "   " + " ".join(f"{flattered[(name, rows)] / durable[(name, rows)]:.2f}" for rows in sizes)
        print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
