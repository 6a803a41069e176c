"""`review --fix` / `--diff` benchmark: what fixing costs over the plain review it starts from, on a copy of
sample_migrations/dangerous (24 revisions, 19 of them fixable).

    python benchmarks/fix_benchmark.py              # 5 runs each
    python benchmarks/fix_benchmark.py --runs 3

Every number is a whole process (``subprocess`` + ``time.perf_counter``), the median of ``--runs`` runs after a
warm-up, cache on (as users run it). Measured:

* ``migsafe review`` (the plain review; it never imports libcst) and ``migsafe review --diff`` on the whole
  copy: ``--diff`` is one review plus planning the fixes, so its ratio to the plain review is the cost of the
  edit engine (libcst's import and the tree edits).
* ``migsafe review --fix`` on a fresh copy each run: one review, the writes, then a review per pass until
  nothing changes (two on this sample), so it is expected near 3 x the plain review.
* ``migsafe --version`` for scale.

Performance is reported, never asserted: the exit code is 0 unless the benchmark itself could not run (2).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SAMPLE = Path(__file__).resolve().parent.parent / "sample_migrations" / "dangerous"


def _time(command: list[str], cwd: Path, prepare=None) -> float:  # type: ignore[no-untyped-def]
    if prepare is not None:
        prepare()
    start = time.perf_counter()
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if result.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(command)} failed ({result.returncode}): {result.stderr.strip()[:300]}")
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    migsafe = [sys.executable, "-m", "migsafe"]
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch) / "dangerous"

        def fresh_copy() -> None:
            shutil.rmtree(work, ignore_errors=True)
            shutil.copytree(SAMPLE, work)

        fresh_copy()
        commands = {
            "review": (migsafe + ["review"], None),
            "review --diff": (migsafe + ["review", "--diff"], None),
            "review --fix (fresh copy)": (migsafe + ["review", "--fix"], fresh_copy),
            "--version": (migsafe + ["--version"], None),
        }
        timings: dict[str, list[float]] = {name: [] for name in commands}
        for name, (command, prepare) in commands.items():  # warm-up: caches, __pycache__
            _time(command, work, prepare)
        for _ in range(args.runs):
            for name, (command, prepare) in commands.items():  # taking turns: drift favours none
                timings[name].append(_time(command, work, prepare))
    medians = {name: statistics.median(values) for name, values in timings.items()}
    base = medians["review"]
    print(f"sample_migrations/dangerous copy, {args.runs} runs each, median seconds (ratio to plain review)")
    for name, value in medians.items():
        print(f"  {name:<28} {value:6.3f} s  ({value / base:4.2f} x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
