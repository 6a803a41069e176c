"""Review benchmark: ``migsafe review`` on generated 500- and 2,000-revision histories, side by side with
Alembic's own offline render of the same history and with squawk on the SQL Alembic rendered.

Run it from a clone, with the installed migsafe (``pip install -e .``)::

    python benchmarks/review_benchmark.py                   # 500 and 2,000 revisions, 5 runs each
    python benchmarks/review_benchmark.py --revisions 500 --runs 3   # quick
    python benchmarks/review_benchmark.py --profile         # also profile one in-process review (cProfile)
    python benchmarks/review_benchmark.py --huge 50000 --huge-only --runs 2   # one revision, 50,000 add_column

Every number is a whole process (``subprocess`` + ``time.perf_counter``): interpreter start, imports, loading
the history, rendering/reviewing and writing the output. Each command runs once as a warm-up (which also
writes the revisions' ``__pycache__``: Alembic's goes first; its time is shown in brackets) and then ``--runs`` times; the
commands take turns, so drift on a busy machine does not favour one of them. Medians are reported, and
targets as measured / target (below 1.00 meets it). Performance is reported, never asserted: the exit code
is 0 unless the benchmark itself could not run (2).

Measured on each generated history (see ``generate_history.py``), written to a temporary directory:

* ``migsafe review DIR --format json --no-cache``: a full cold review; also cold while writing a new cache
  (the cache directory is removed before every run), and warm (every revision in the cache).
* ``alembic upgrade base:head --sql``: Alembic rendering the same history offline, the floor for doing this
  work in Python. Its output is kept for squawk.
* ``squawk FILE.sql`` (``pip install squawk-cli``): the peer to beat, on the SQL Alembic rendered.
* ``migsafe review ONE_FILE --format json``: one revision (the last) of the history, the rest loaded for
  context: with ``--no-cache``, and with a warm cache after the file was edited (a new version before every
  run, restored after it): the changed revision is recorded, everything else comes from the cache.
* ``migsafe --version`` and ``migsafe --help``: start-up.
* Peak memory (max RSS) of a full review, read with ``getrusage(RUSAGE_CHILDREN)`` in a dedicated child.
* With ``--huge N``: one revision with N ``op.add_column`` calls on one table (``--huge-kind`` for
  ``create_table``, ``create_index``, ``alter_column`` or ``op.execute``), cold, against one with N/10: time and
  peak memory, and their ratios (linear growth gives 10; the target is at most 12).

Targets (from the issue), on the largest history measured: full cold review <= 1.3 x Alembic's offline
render; ``migsafe --version`` < 0.25 s; one changed revision < 1 s warm; peak memory < 300 MB.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate_history import HUGE_KINDS, generate, generate_huge  # noqa: E402

REVIEW_RATIO_TARGET = 1.3
VERSION_TARGET_S = 0.25
ONE_FILE_TARGET_S = 1.0
MEMORY_TARGET_MB = 300.0
HUGE_RATIO_TARGET = 12.0  # N operations in one revision: at most 12x the time and memory of N/10


class BenchmarkError(Exception):
    """The benchmark cannot run: exit code 2 with this message."""


@dataclass
class Command:
    label: str
    argv: list[str]
    cwd: Path
    ok_codes: tuple[int, ...] = (0,)
    stdout_to: Path | None = None
    first: float | None = None
    times: list[float] = field(default_factory=list)
    before: Callable[[int], None] | None = None  # untimed set-up before every run (its number: 0 = warm-up)
    after: Callable[[], None] | None = None  # untimed clean-up after every run
    runs: int = 0

    @property
    def median(self) -> float:
        return statistics.median(self.times)


def run_once(command: Command) -> float:
    if command.before is not None:
        command.before(command.runs)
    command.runs += 1
    out = command.stdout_to.open("wb") if command.stdout_to else subprocess.DEVNULL
    try:
        start = time.perf_counter()
        done = subprocess.run(command.argv, cwd=command.cwd, stdout=out, stderr=subprocess.PIPE)
        elapsed = time.perf_counter() - start
    finally:
        if command.stdout_to:
            out.close()  # type: ignore[union-attr]
        if command.after is not None:
            command.after()
    if done.returncode not in command.ok_codes:
        tail = done.stderr.decode(errors="replace").strip().splitlines()[-3:]
        raise BenchmarkError(f"{command.label}: exit code {done.returncode}: {' | '.join(tail)}")
    return elapsed


def paired_ratios(a: Command, b: Command) -> list[float]:
    """A's time over B's, run by run: both ran in the same turn, so machine drift cancels."""
    return [x / y for x, y in zip(a.times, b.times)]


def measure(commands: list[Command], runs: int) -> None:
    for command in commands:
        if command.first is None:
            command.first = run_once(command)
    for turn in range(runs):
        for command in commands[turn % len(commands):] + commands[:turn % len(commands)]:
            command.times.append(run_once(command))


def peak_memory_mb(argv: list[str], cwd: Path) -> float:
    """Max RSS of ``argv`` alone: a dedicated child runs it and reports RUSAGE_CHILDREN."""
    probe = ("import resource, subprocess, sys\n"
             "subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)\n"
             "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n")
    done = subprocess.run([sys.executable, "-c", probe, *argv], cwd=cwd, capture_output=True, text=True,
                          check=True)
    kilobytes = int(done.stdout.strip())
    return kilobytes / 1024 if sys.platform != "darwin" else kilobytes / 1024 / 1024


def timed_peak(argv: list[str], cwd: Path) -> tuple[float, float, str]:
    """Wall time, max RSS (MB) and stdout of ``argv``, run by a dedicated child that reports
    RUSAGE_CHILDREN (so the measuring process's own memory is not counted)."""
    probe = ("import resource, subprocess, sys, time\n"
             "start = time.perf_counter()\n"
             "done = subprocess.run(sys.argv[1:], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)\n"
             "elapsed = time.perf_counter() - start\n"
             "print(elapsed, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
             "sys.stdout.write(done.stdout.decode())\n")
    done = subprocess.run([sys.executable, "-c", probe, *argv], cwd=cwd, capture_output=True, text=True,
                          check=True)
    first, _, output = done.stdout.partition("\n")
    seconds, kilobytes = first.split()
    return float(seconds), int(kilobytes) / 1024 / (1024 if sys.platform == "darwin" else 1), output


def bench_huge(operations: int, kind: str, runs: int, workdir: Path) -> dict[str, object]:
    """One revision with ``operations`` calls of ``kind`` against one with a tenth as many: time and peak
    memory of a cold review of each, runs alternating, medians."""
    import json

    sizes = (max(1, operations // 10), operations)
    samples: dict[int, list[tuple[float, float]]] = {size: [] for size in sizes}
    projects = {}
    for size in sizes:
        projects[size] = workdir / f"huge_{kind}_{size}"
        if not projects[size].exists():
            generate_huge(projects[size], size, kind)
    print(f"  one revision with {operations} x {kind} (and {sizes[0]}): {runs} runs each ...", flush=True)
    for _ in range(runs):
        for size in sizes:
            # No revision timeout: the default 60 s would cut a big revision short on a slow machine.
            argv = [sys.executable, "-m", "migsafe", "review", str(projects[size]), "--format", "json",
                    "--no-cache", "--revision-timeout", "0"]
            seconds, peak, output = timed_peak(argv, projects[size])
            report = json.loads(output)
            if report["errors"] or report["summary"]["revisions_reviewed"] != 2:
                raise BenchmarkError(f"huge revision ({size} x {kind}) was not fully reviewed: {report['errors']}")
            samples[size].append((seconds, peak))
    small, big = (samples[size] for size in sizes)
    result: dict[str, object] = {"kind": kind, "sizes": sizes}
    for name, index in (("time", 0), ("memory", 1)):
        result[name] = tuple(statistics.median(sample[index] for sample in runs_) for runs_ in (small, big))
    return result


def squawk_command() -> tuple[str | None, str]:
    found = shutil.which("squawk") or shutil.which("squawk", path=str(Path(sys.executable).parent))
    if found is None:
        return None, "squawk: not available (pip install squawk-cli: no `squawk` on PATH or next to Python)"
    try:
        version = subprocess.run([found, "--version"], capture_output=True, text=True, timeout=30).stdout.strip()
    except (OSError, subprocess.SubprocessError) as exc:
        return None, f"squawk: not available ({found} does not run: {exc})"
    return found, version


def fmt_s(seconds: float) -> str:
    return f"{seconds:.3f} s" if seconds < 10 else f"{seconds:.2f} s"


def bench_history(revisions: int, runs: int, workdir: Path, squawk: str | None) -> dict[str, object]:
    project = workdir / f"history_{revisions}"
    versions = generate(project, revisions)
    rendered = workdir / f"history_{revisions}.sql"
    last = sorted(versions.glob("*.py"))[-1]
    original = last.read_bytes()
    py = sys.executable
    migsafe = [py, "-m", "migsafe", "review"]
    cold_cache, warm_cache, one_cache = (workdir / f"cache_{name}_{revisions}" for name in ("cold", "warm", "one"))
    review = Command("migsafe review --format json --no-cache", [*migsafe, str(project), "--format", "json",
                                                                  "--no-cache"], project, ok_codes=(0, 1))
    writing = Command("migsafe review, cold, writing the cache",
                      [*migsafe, str(project), "--format", "json", "--cache-dir", str(cold_cache)], project,
                      ok_codes=(0, 1), before=lambda _run: shutil.rmtree(cold_cache, ignore_errors=True))
    warm = Command("migsafe review, warm cache", [*migsafe, str(project), "--format", "json", "--cache-dir",
                                                  str(warm_cache)], project, ok_codes=(0, 1))
    alembic = Command("alembic upgrade base:head --sql", [py, "-m", "alembic", "-c", str(project / "alembic.ini"),
                                                          "upgrade", "base:head", "--sql"], project,
                      stdout_to=rendered)
    one = Command("migsafe review ONE_FILE --format json --no-cache",
                  [*migsafe, str(last), "--format", "json", "--no-cache"], project, ok_codes=(0, 1))

    def edit_head(run: int) -> None:
        # A new version of the head revision each run (what a developer does between two reviews); the
        # warm-up run reviews the original, which leaves the cache as a previous review of main would.
        last.write_bytes(original if run == 0 else original + f"\n# edit {run}\n".encode())

    one_warm = Command("migsafe review ONE_FILE, one changed revision, warm cache",
                       [*migsafe, str(last), "--format", "json", "--cache-dir", str(one_cache)], project,
                       ok_codes=(0, 1), before=edit_head, after=lambda: last.write_bytes(original))
    commands = [review, writing, warm, alembic, one, one_warm]
    # Alembic runs first (its warm-up): squawk needs the SQL it renders.
    alembic.first = run_once(alembic)
    squawk_cmd = None
    if squawk is not None:
        squawk_cmd = Command("squawk FILE.sql", [squawk, str(rendered)], project, ok_codes=tuple(range(0, 256)))
        commands.append(squawk_cmd)
    print(f"  {revisions} revisions: measuring {len(commands)} commands, 1 warm-up + {runs} runs each ...",
          flush=True)
    measure(commands, runs)
    memory = peak_memory_mb(review.argv, project)
    return {"revisions": revisions, "review": review, "writing": writing, "warm": warm, "alembic": alembic,
            "one": one, "one_warm": one_warm, "squawk": squawk_cmd, "memory": memory,
            "sql_lines": sum(1 for _ in rendered.open(encoding="utf-8")), "project": project}


def startup(runs: int) -> tuple[Command, Command]:
    cwd = Path.cwd()
    version = Command("migsafe --version", [sys.executable, "-m", "migsafe", "--version"], cwd)
    helptext = Command("migsafe --help", [sys.executable, "-m", "migsafe", "--help"], cwd)
    measure([version, helptext], runs)
    return version, helptext


def profile(project: Path, top: int) -> None:
    import cProfile
    import io
    import pstats

    from migsafe.engine import ReviewOptions, review
    from migsafe.reporters import renderer

    profiler = cProfile.Profile()
    profiler.enable()
    report = review(ReviewOptions(paths=[project], cwd=project))
    renderer("json")(report, color=False)
    profiler.disable()
    for order in ("tottime", "cumulative"):
        stream = io.StringIO()
        pstats.Stats(profiler, stream=stream).strip_dirs().sort_stats(order).print_stats(top)
        print(f"\nprofile of one in-process review of {project.name}, by {order}:")
        print("\n".join(line for line in stream.getvalue().splitlines()[6:] if line.strip()))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="migsafe review benchmark")
    parser.add_argument("--revisions", type=int, action="append",
                        help="history size (repeatable; default: 500 and 2000)")
    parser.add_argument("--runs", type=int, default=5, help="measured runs per command after one warm-up")
    parser.add_argument("--keep", type=Path, help="write the generated histories here instead of a temporary "
                                                  "directory (must not exist)")
    parser.add_argument("--profile", action="store_true", help="profile one review of the largest history")
    parser.add_argument("--huge", type=int, action="append", metavar="N",
                        help="also review one revision with N operations on one table against one with N/10 "
                             "(repeatable)")
    parser.add_argument("--huge-kind", action="append", choices=sorted(HUGE_KINDS),
                        help="the operations of --huge (repeatable; default: add_column)")
    parser.add_argument("--huge-only", action="store_true", help="only the --huge part: no histories")
    args = parser.parse_args(argv)
    sizes = [] if args.huge_only else sorted(args.revisions or [500, 2000])
    if args.huge_only and not args.huge:
        parser.error("--huge-only needs --huge N")
    try:
        import alembic  # noqa: F401

        import migsafe
    except ImportError as exc:
        print(f"review_benchmark: cannot import {exc.name}: pip install -e . first", file=sys.stderr)
        return 2
    squawk, squawk_info = squawk_command()
    print(f"migsafe {migsafe.__version__}, alembic {alembic.__version__}, Python {sys.version.split()[0]}, "
          f"{os.cpu_count()} CPUs; {squawk_info}")
    if args.keep:
        args.keep.mkdir(parents=True)
        holder = None
        workdir = args.keep
    else:
        holder = tempfile.TemporaryDirectory(prefix="migsafe-bench-")
        workdir = Path(holder.name)
    try:
        huge = [bench_huge(n, kind, args.runs, workdir) for n in sorted(args.huge or [])
                for kind in (args.huge_kind or ["add_column"])]
        results = [bench_history(n, args.runs, workdir, squawk) for n in sizes]
        version, helptext = startup(max(args.runs, 5)) if results else (None, None)
        if args.profile and results:
            profile(results[-1]["project"], 25)  # type: ignore[arg-type]
    except (BenchmarkError, subprocess.CalledProcessError) as exc:
        print(f"review_benchmark: {exc}", file=sys.stderr)
        return 2
    finally:
        if holder is not None:
            holder.cleanup()

    if huge:
        print_huge(huge, args.runs)
    if not results:
        return 0
    print(f"\nmedian of {args.runs} runs (the warm-up run in brackets; Alembic's compiled the revisions)\n")
    header = f"{'':42}" + "".join(f"{str(r['revisions']) + ' revisions':>24}" for r in results)
    print(header)

    def row(label: str, key: str) -> None:
        cells = []
        for r in results:
            command = r[key]
            cells.append("n/a" if command is None else f"{fmt_s(command.median)} ({fmt_s(command.first)})")
        print(f"{label:42}" + "".join(f"{c:>24}" for c in cells))

    row("migsafe review --format json --no-cache", "review")
    row("migsafe review, cold, writing the cache", "writing")
    row("migsafe review, warm cache", "warm")
    row("alembic upgrade base:head --sql", "alembic")
    if squawk is not None:
        row("squawk on the rendered SQL", "squawk")
    else:
        print(f"{'squawk on the rendered SQL':42}" + "".join(f"{'not available':>24}" for _ in results))
    row("migsafe review ONE_FILE --no-cache", "one")
    row("ONE_FILE changed, rest of the cache warm", "one_warm")
    print(f"{'peak memory of a full review (max RSS)':42}" + "".join(f"{r['memory']:>21.0f} MB" for r in results))
    print(f"{'rendered SQL lines':42}" + "".join(f"{r['sql_lines']:>24}" for r in results))
    for r in results:
        ratio = r["review"].median / r["alembic"].median  # type: ignore[union-attr]
        writing = r["writing"].median / r["alembic"].median  # type: ignore[union-attr]
        extra = ""
        if r["squawk"] is not None:
            extra = f"; review / squawk = {r['review'].median / r['squawk'].median:.1f}x"  # type: ignore[union-attr]
        print(f"{'review / alembic render, ' + str(r['revisions']):42}{ratio:>23.2f}x (writing the cache: "
              f"{writing:.2f}x){extra}")
        pairs = paired_ratios(r["review"], r["alembic"])  # type: ignore[arg-type]
        print(f"{'  run by run (min / median / max)':42}{min(pairs):>15.2f} / {statistics.median(pairs):.2f} / "
              f"{max(pairs):.2f}")
    assert version is not None and helptext is not None
    print(f"\n{'migsafe --version':42}{fmt_s(version.median):>24}")
    print(f"{'migsafe --help':42}{fmt_s(helptext.median):>24}")

    big = results[-1]
    n = big["revisions"]
    print(f"\ntargets (measured / target; <= 1.00 meets it), on {n} revisions:")
    review_ratio = big["review"].median / big["alembic"].median  # type: ignore[union-attr]
    print(f"  full cold review <= {REVIEW_RATIO_TARGET}x alembic --sql: {review_ratio:.2f}x / {REVIEW_RATIO_TARGET}"
          f" = {review_ratio / REVIEW_RATIO_TARGET:.2f}")
    print(f"  migsafe --version < {VERSION_TARGET_S} s: {version.median:.3f} / {VERSION_TARGET_S} = "
          f"{version.median / VERSION_TARGET_S:.2f}")
    one_s = big["one_warm"].median  # type: ignore[union-attr]
    print(f"  one changed revision < {ONE_FILE_TARGET_S} s warm: {one_s:.3f} / {ONE_FILE_TARGET_S} = "
          f"{one_s / ONE_FILE_TARGET_S:.2f}")
    print(f"  peak memory < {MEMORY_TARGET_MB:.0f} MB: {big['memory']:.0f} / {MEMORY_TARGET_MB:.0f} = "
          f"{big['memory'] / MEMORY_TARGET_MB:.2f}")
    return 0


def print_huge(huge: list[dict[str, object]], runs: int) -> None:
    print(f"\none huge revision, `migsafe review --format json --no-cache`, median of {runs} runs; "
          f"N / (N/10) <= {HUGE_RATIO_TARGET:g} meets the target (linear growth gives 10)\n")
    print(f"{'operations':28}{'N/10':>10}{'N':>10}{'time N/10':>12}{'time N':>12}{'ratio':>8}"
          f"{'peak N/10':>12}{'peak N':>12}{'ratio':>8}")
    for result in huge:
        (small, big), (t_small, t_big), (m_small, m_big) = (result["sizes"], result["time"],  # type: ignore[misc]
                                                            result["memory"])
        print(f"{result['kind']:28}{small:>10}{big:>10}{fmt_s(t_small):>12}{fmt_s(t_big):>12}"
              f"{t_big / t_small:>7.1f}x{m_small:>9.0f} MB{m_big:>9.0f} MB{m_big / m_small:>7.1f}x")


if __name__ == "__main__":
    sys.exit(main())
