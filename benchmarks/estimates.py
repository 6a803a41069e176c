"""Check review estimates against reality on this machine (issue 16's done-when).

Calibrates on replay's throwaway cluster with production durability (fsync, synchronous_commit and
full_page_writes on) at small sizes, exactly as ``migsafe calibrate`` does (migsafe/replay/calibrate.py, default
10^5 rows, median of 3), then, for each ``--rows`` size (default 10^6 and 10^7), fills one table of that size
and times the three operations whose estimates matter most, in this order on the same table:

* scan: ``ALTER COLUMN n SET NOT NULL`` (estimate kind "scan", from the table's bytes);
* index build: ``CREATE INDEX ON t (n)`` (kind "index", from the rows);
* rewrite: ``ALTER COLUMN n TYPE bigint`` (kind "rewrite", from table + index bytes, two indexes by then).

Each size is estimated from the sizes read just before the statement, with the calibrated throughputs
(migsafe/stats/estimate.py), and the script prints the measured duration, the estimated range, measured ÷
point estimate (1.0: exactly as estimated; the range is x0.5..x2) and whether the measurement falls inside the
range. Exits 1 when any falls outside, 0 otherwise.

    python benchmarks/estimates.py                       # 10^6 and 10^7 rows (10^7: a few minutes on 2 cores)
    python benchmarks/estimates.py --rows 1000000 --rows 3000000
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # this checkout's migsafe, not an installed one

from migsafe.replay.server import scratch_database
from migsafe.replay.calibrate import DEFAULT_ROWS, DEFAULT_RUNS, DURABLE, fill, measure, time_statement
from migsafe.stats.estimate import LOW_FACTOR, Throughputs, estimate

#: (label, estimate kind, statement), run in this order on one filled table.
CHECKED = (
    ("scan", "scan", "ALTER TABLE t ALTER COLUMN n SET NOT NULL"),
    ("index build", "index", "CREATE INDEX ix_t_n ON t (n)"),
    ("rewrite", "rewrite", "ALTER TABLE t ALTER COLUMN n TYPE bigint"),
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, action="append", help="checked sizes (default 10^6 and 10^7)")
    parser.add_argument("--calibrate-rows", type=int, default=DEFAULT_ROWS, help="calibration size (default 10^5)")
    parser.add_argument("--runs", type=int, default=DEFAULT_RUNS, help="calibration runs per operation")
    args = parser.parse_args(argv)
    sizes = args.rows or [1_000_000, 10_000_000]
    outside = 0
    with scratch_database(settings=dict(DURABLE)) as db, db.connect(autocommit=True) as conn:
        started = time.perf_counter()
        throughputs = Throughputs(**measure(conn, args.calibrate_rows, args.runs), source="calibrated")
        print(f"PostgreSQL {db.server_version}, fsync on; calibrated on {args.calibrate_rows:,} rows "
              f"(median of {args.runs}) in {time.perf_counter() - started:.1f} s: "
              f"rewrite {throughputs.rewrite_mb_s:.0f} MB/s, scan {throughputs.seq_scan_mb_s:.0f} MB/s, "
              f"btree build {throughputs.btree_build_rows_s:,.0f} rows/s")
        print(f"{'rows':>12}  {'operation':12} {'size':>10} {'measured':>10} {'estimated range':>19}"
              f"  {'measured / estimate':>19}  inside")
        for rows in sizes:
            fill(conn, rows)
            for label, kind, statement in CHECKED:
                timing = time_statement(conn, statement, rows)
                guess = estimate(kind, rows, timing.table_bytes, timing.index_bytes, throughputs)
                assert guess is not None
                point = guess.seconds_low / LOW_FACTOR  # the range is point x LOW_FACTOR .. x HIGH_FACTOR
                inside = guess.seconds_low <= timing.seconds <= guess.seconds_high
                outside += not inside
                size = (f"{(timing.table_bytes + (timing.index_bytes if kind == 'rewrite' else 0)) / 2**20:,.0f} MB"
                        if kind != "index" else f"{rows:,} r")
                print(f"{rows:>12,}  {label:12} {size:>10} {timing.seconds:>9.2f}s "
                      f"{guess.seconds_low:>8.2f}s–{guess.seconds_high:>8.2f}s  {timing.seconds / point:>19.2f}  "
                      f"{'yes' if inside else 'NO'}")
    return 1 if outside else 0


if __name__ == "__main__":
    raise SystemExit(main())
