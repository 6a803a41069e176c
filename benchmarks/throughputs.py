"""Measure the throughputs behind ``migsafe review --stats`` estimates (migsafe/stats/estimate.py) on this machine.

The measuring code is ``migsafe calibrate``'s (migsafe/replay/calibrate.py, which lists the operations): this script
runs it on replay's throwaway cluster with production durability (``fsync``, ``synchronous_commit`` and
``full_page_writes`` on: replay turns them off, which flatters every write) at several sizes, and prints the
median of ``--runs`` for each size, and, with ``--compare-fsync-off``, the ratio fsync-off ÷ fsync-on (how much
replay's settings flatter each), and for each size the measured duration ÷ the point estimate from the built-in
defaults (1.0: exactly as estimated; the reported range is x0.5..x2). Prints numbers, asserts nothing.

    python benchmarks/throughputs.py --rows 100000 --rows 1000000
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # this checkout's migsafe, not an installed one

from migsafe.replay.server import scratch_database
from migsafe.replay.calibrate import DURABLE, OPERATIONS, measure
from migsafe.stats.estimate import DEFAULT_THROUGHPUTS


def run(settings: dict[str, object], sizes: list[int], runs: int) -> tuple[str, dict[tuple[str, int], float]]:
    results: dict[tuple[str, int], float] = {}
    with scratch_database(settings=settings) as db, db.connect(autocommit=True) as conn:
        for rows in sizes:
            for name, value in measure(conn, rows, runs).items():
                results[(name, rows)] = value
        return db.server_version, results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, action="append", help="table sizes (default 100000 and 1000000)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--compare-fsync-off", action="store_true",
                        help="also measure with replay's fsync-off settings and print off / on")
    args = parser.parse_args(argv)
    sizes = args.rows or [100_000, 1_000_000]
    version, durable = run(dict(DURABLE), sizes, args.runs)
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
