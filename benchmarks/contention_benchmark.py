"""Contention replay benchmark: ``migsafe replay --contention`` of the dangerous sample, timed end to end.

Run it from a clone, with the installed migsafe (``pip install -e .``)::

    python benchmarks/contention_benchmark.py              # one run with the defaults (4 s reader), ~3 min
    python benchmarks/contention_benchmark.py --runs 2 --reader 2

Each run is ``python -m migsafe replay sample_migrations/dangerous --contention --format json`` as a subprocess,
next to the same replay without ``--contention``. It prints the seconds, the ratio to the issue's bound (600 s
for the whole contention replay of the dangerous sample) and the time beyond what the scenes must take at least
(each run's lock wait, up to the reader's time or the lock_timeout, plus the lead-in and -out). It reports,
never asserts; exit code 2 only if a replay could not run.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BOUND_SECONDS = 600.0


def _replay(*extra: str) -> tuple[float, dict]:
    command = [sys.executable, "-m", "migsafe", "replay", "sample_migrations/dangerous", "--rows", "300",
               "--format", "json", *extra]
    started = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode not in (0, 1):
        print(f"replay failed (exit {done.returncode}): {done.stderr.strip()}", file=sys.stderr)
        raise SystemExit(2)
    return seconds, json.loads(done.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--reader", type=float, default=4.0, help="--contention-reader SECONDS")
    args = parser.parse_args()
    plain = statistics.median(_replay()[0] for _ in range(args.runs))
    timings = []
    for _ in range(args.runs):
        seconds, data = _replay("--contention", "--contention-reader", f"{args.reader:g}")
        timings.append(seconds)
    measured = [s["contention"] for s in data["statements"] if s["contention"]]
    twice = sum(1 for c in measured if c["with_timeout"] is not None)
    # A scene cannot be shorter than the migration's wait plus the lead-in and -out (LEAD twice, START_AFTER_READER).
    waits = [c["lock_wait_ms"] for c in measured] + [c["with_timeout"]["lock_wait_ms"] for c in measured
                                                      if c["with_timeout"] is not None]
    floor = sum(waits) / 1000 + len(waits) * 0.65
    median = statistics.median(timings)
    print(f"replay of sample_migrations/dangerous without --contention: {plain:.1f} s (median of {args.runs})")
    print(f"with --contention (reader {args.reader:g} s): {median:.1f} s (min {min(timings):.1f}, max "
          f"{max(timings):.1f}); {len(measured)} statements measured, {twice} of them twice")
    print(f"ratio to the {BOUND_SECONDS:.0f} s bound: {median / BOUND_SECONDS:.2f}")
    print(f"scenes' least possible time (the migration's waits plus lead-in and -out): {floor:.1f} s; overhead beyond it: "
          f"{median - plain - floor:.1f} s ({(median - plain) / floor:.2f}x)")
    slow_max = [c["app_wait_max_ms"] for c in measured if c["app_blocked"]]
    timeout_max = [c["with_timeout"]["app_wait_max_ms"] for c in measured
                   if c["with_timeout"] is not None and c["app_blocked"]]
    if slow_max:
        print(f"application waits without lock_timeout: up to {max(slow_max) / 1000:.2f} s (reader "
              f"{args.reader:g} s); with it: up to {max(timeout_max or [0]) / 1000:.2f} s")


if __name__ == "__main__":
    main()
