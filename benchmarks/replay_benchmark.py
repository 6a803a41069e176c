"""Replay benchmark: ``migsafe replay`` end to end, and what tracing costs next to a plain ``alembic upgrade``.

Run it from a clone, with the installed migsafe (``pip install -e .``)::

    python benchmarks/replay_benchmark.py                # 5 measured runs after 1 warm-up, about two minutes
    python benchmarks/replay_benchmark.py --runs 3       # quicker, noisier
    python benchmarks/replay_benchmark.py --public-api   # also replay() itself on the shared server

It needs a PostgreSQL server that ``migsafe replay`` can start by itself (initdb and postgres on PATH or in the
usual install locations, ``--pg-bin DIR``, or the ``pgserver`` wheel). It prints measured / target ratios and
never fails because a target is missed: performance is reported, not asserted. Exit code 2 means the benchmark
itself could not run (no PostgreSQL, migsafe not importable, replay crashed).

1. End to end: ``python -m migsafe replay sample_migrations/dangerous --format json`` as a subprocess, so
   interpreter start, imports, static review, server start (initdb) and removal, seeding, tracing,
   reconciliation and rendering are all in. Target: under 5 s for a 20-revision history. When the sample has
   more than 20 revisions, a copy holding its first 20 is timed too (that is the target line); with fewer,
   the time is scaled up linearly. Then where that time goes, each part measured on its own.

2. Tracing overhead on one server: one throwaway cluster for the whole part, and for every run of every
   variant a fresh database on it (CREATE DATABASE, not timed; dropped afterwards). The variants run in
   rotating order, so drift and caching do not favour one of them:

   * ``plain``: Alembic itself, ``command.upgrade(config, <revision>)`` one revision at a time through the
     sample's own env.py (``sqlalchemy.url`` pointed at the fresh database), with migsafe's ``seed_tables``
     called with the same row count at the same points as replay (before every reviewed revision: replay
     seeds there when each revision has its own transaction, which is how both samples run). Plain Alembic
     can only seed between revisions when it is invoked once per revision. A revision that fails on a real
     server (the dangerous sample has several, e.g. a NOT NULL column without default on a filled table,
     CREATE INDEX CONCURRENTLY inside a transaction, a new enum value used in the transaction that added it;
     the output lists them) is passed with ``command.stamp`` and the upgrade goes on, as replay records the
     failure and goes on. Both sides must fail the same revisions and seed the same rows, or it stops.
   * ``traced``: migsafe's replay loop (``migsafe.replay.run._run``), the code ``migsafe replay`` runs once
     its server is up: the same seeding, every statement traced.
   * ``untraced``: the same loop with the tracer's hooks made no-ops: replay without the tracing.
   * ``replay()`` (with ``--public-api``, dangerous sample only): the public API,
     ``replay(ReplayOptions(database_url=<this server>))``, which adds the static review, CREATE/DROP of its own
     scratch database and reconciliation.

   The target ratio is traced / plain, paired per run. Each plain run pays Alembic's fixed cost per
   invocation (loading env.py, scanning the versions directory, connecting) once per revision; that cost is
   measured (``upgrade head`` at head) and a "strict" ratio charges plain Alembic for one invocation only.

3. Per statement: statements traced, the time spent inside the tracer's hooks (observation queries plus
   their bookkeeping, timed around the hooks) per statement, (traced - untraced) / statements, and the mean
   time of the statements themselves as the tracer measured them.
"""

from __future__ import annotations

import argparse
import contextlib
import inspect
import json
import os
import secrets
import statistics
import subprocess
import sys
import time
import warnings
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable, Iterator

REPO = Path(__file__).resolve().parent.parent
SAMPLES = REPO / "sample_migrations"
END_TO_END_TARGET_S = 5.0
END_TO_END_TARGET_REVISIONS = 20
OVERHEAD_TARGET = 2.0
ROWS = 5000  # replay's default --rows
TRACER_HOOKS = ("_before", "_after", "_error", "begin_revision")


class BenchmarkError(Exception):
    """The benchmark cannot run: exit code 2 with this message."""


@dataclass
class Samples:
    values: list[float] = field(default_factory=list)

    def add(self, value: float) -> None:
        self.values.append(value)

    @property
    def median(self) -> float:
        return statistics.median(self.values)

    def summary(self, unit: str = "s", scale: float = 1.0, digits: int = 3) -> str:
        v = [x * scale for x in self.values]
        return (f"median {statistics.median(v):.{digits}f} {unit} "
                f"(min {min(v):.{digits}f}, max {max(v):.{digits}f}, n={len(v)})")


def say(text: str = "") -> None:
    print(text, flush=True)


def load_average() -> str:
    try:
        return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())
    except (AttributeError, OSError):
        return "load average unknown"


def migsafe_command() -> list[str]:
    return [sys.executable, "-m", "migsafe"]


def run_cli(arguments: list[str], ok: tuple[int, ...] = (0, 1)) -> tuple[float, str]:
    """Run ``python -m migsafe ARGS``; its wall time and stdout. Exit 1 (findings) is the expected outcome."""
    command = [*migsafe_command(), *arguments]
    started = time.perf_counter()
    out = subprocess.run(command, capture_output=True, text=True, cwd=REPO, env={**os.environ, "NO_COLOR": "1"})
    elapsed = time.perf_counter() - started
    if out.returncode not in ok:
        raise BenchmarkError(f"`{' '.join(command)}` exited with {out.returncode}:\n{out.stderr.strip()}")
    return elapsed, out.stdout


# --------------------------------------------------------------------------------------------- part 1


def end_to_end(sample: Path, runs: int, warmup: int, extra: list[str]) -> tuple[Samples, dict]:
    times = Samples()
    report: dict = {}
    for index in range(warmup + runs):
        elapsed, stdout = run_cli(["replay", str(sample), "--format", "json", *extra])
        try:
            report = json.loads(stdout)
        except json.JSONDecodeError as error:
            raise BenchmarkError(f"`migsafe replay` did not print JSON ({error}):\n{stdout[:500]}") from None
        if index >= warmup:
            times.add(elapsed)
    return times, report


@contextlib.contextmanager
def first_revisions(sample: Path, count: int) -> Iterator[Path]:
    """A copy of ``sample`` in a temporary directory holding only its first ``count`` revisions (history order)."""
    import shutil
    import tempfile

    from migsafe.engine import plan
    from migsafe.replay.run import ReplayOptions

    files = plan(ReplayOptions(paths=[sample], cwd=REPO)).history.files
    with tempfile.TemporaryDirectory(prefix="migsafe-bench-") as tmp:
        copy = Path(tmp) / sample.name
        shutil.copytree(sample, copy, ignore=shutil.ignore_patterns("__pycache__"))
        for file in files[count:]:
            (copy / file.path.resolve().relative_to(sample.resolve())).unlink()
        yield copy


@contextlib.contextmanager
def timed_function(module: Any, name: str, totals: list[float]) -> Iterator[None]:
    """Add the wall time of every call of ``module.name`` to ``totals[0]`` (the callers look it up at call time)."""
    original = getattr(module, name)

    def timed(*args: object, **kwargs: object) -> object:
        started = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            totals[0] += time.perf_counter() - started

    setattr(module, name, timed)
    try:
        yield
    finally:
        setattr(module, name, original)


def breakdown(sample: Path, runs: int, pg_bin: Path | None) -> dict[str, Samples]:
    """The parts of the end-to-end time that are not the replay loop, each measured on its own."""
    from migsafe.replay import server
    from migsafe.replay.server import scratch_database

    parts = {name: Samples() for name in ("interpreter start (python -m migsafe --version)",
                                          "imports + static review + JSON (migsafe review, subprocess)",
                                          "server start", "  of which initdb", "server stop")}
    for _ in range(runs):
        parts["interpreter start (python -m migsafe --version)"].add(run_cli(["--version"], ok=(0,))[0])
        parts["imports + static review + JSON (migsafe review, subprocess)"].add(
            run_cli(["review", str(sample), "--format", "json"])[0])
        initdb = [0.0]
        hook = timed_function(server, "_initdb", initdb) if hasattr(server, "_initdb") else contextlib.nullcontext()
        with hook:
            started = time.perf_counter()
            with scratch_database(pg_bin=pg_bin):
                up = time.perf_counter()
        parts["server start"].add(up - started)
        parts["  of which initdb"].add(initdb[0])
        parts["server stop"].add(time.perf_counter() - up)
    if not any(parts["  of which initdb"].values):
        del parts["  of which initdb"]
    return parts


# --------------------------------------------------------------------------------------------- part 2


REPLAY_LOOP_EXTRAS: dict[str, Callable[[], object]] = {
    "stubs": dict,  # revision -> stand-in modules the static review needed; the samples import nothing missing
}


def replay_loop() -> Callable[..., list]:
    """``migsafe.replay.run._run`` with its arguments filled in: (db, files, reported, work, rows) -> revisions.

    ``_run`` is private and its signature moves; known extra parameters get neutral values, and anything
    else stops the benchmark with a message saying what to update, rather than a TypeError half-way through.
    """
    from migsafe.replay import run as replay_run

    function = getattr(replay_run, "_run", None)
    if function is None:
        raise BenchmarkError("migsafe.replay.run._run is gone; update replay_loop() in benchmarks/replay_benchmark.py")
    parameters = list(inspect.signature(function).parameters.values())
    names = [p.name for p in parameters]
    base = ["db", "files", "reported", "work", "rows", "say"]
    unknown = [p.name for p in parameters[len(base):]
               if p.name not in REPLAY_LOOP_EXTRAS and p.default is inspect.Parameter.empty]
    if names[: len(base)] != base or unknown:
        raise BenchmarkError(
            f"migsafe.replay.run._run({', '.join(names)}) does not start with ({', '.join(base)}) or has parameters "
            f"the benchmark cannot fill ({', '.join(unknown)}); update replay_loop() in benchmarks/replay_benchmark.py"
        )
    extras = [name for name in names[len(base):] if name in REPLAY_LOOP_EXTRAS]

    def loop(db: Any, files: list, reported: set[str], work: Any, rows: int) -> list:
        return function(db, files, reported, work, rows, lambda _message: None,
                        **{name: REPLAY_LOOP_EXTRAS[name]() for name in extras})

    return loop


def check_replay_internals() -> None:
    replay_loop()


@contextlib.contextmanager
def fresh_database(server: Any) -> Iterator[Any]:
    """A new, empty database on the benchmark's server, described like the server's ScratchDatabase."""
    from psycopg import sql
    from psycopg.conninfo import make_conninfo
    from sqlalchemy.engine import make_url

    name = "bench_" + secrets.token_hex(4)
    with server.connect(autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield replace(server, conninfo=make_conninfo(server.conninfo, dbname=name),
                      url=make_url(server.url).set(database=name).render_as_string(hide_password=False),
                      dbname=name)
    finally:
        with server.connect(autocommit=True) as admin:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


@dataclass
class Workload:
    """What replay runs for a sample: its plan, the files up to the last reviewed one, the reviewed ids."""

    sample: Path
    work: Any
    files: list
    reported: set[str]
    script_location: str


def load_workload(sample: Path) -> Workload:
    from alembic.config import Config

    from migsafe.engine import plan
    from migsafe.replay.run import ReplayOptions

    work = plan(ReplayOptions(paths=[sample], cwd=REPO))
    files = work.history.files
    positions = [i for i, f in enumerate(files) if f.revision in work.reported]
    if not positions:
        raise BenchmarkError(f"{sample}: no revision to replay")
    if not work.settings.transaction_per_migration:
        raise BenchmarkError(f"{sample}: the plain side seeds before every revision, which replay does only with "
                             "one transaction per revision")
    ini = sample / "alembic.ini"
    script_location = Config(file_=str(ini)).get_main_option("script_location")
    if not script_location:
        raise BenchmarkError(f"{ini} has no script_location")
    return Workload(sample, work, files[: positions[-1] + 1], set(work.reported), script_location)


@dataclass
class RunResult:
    seconds: float
    failed: list[str]  # revisions that failed on the server, in order
    seeded_rows: int
    seed_seconds: float = 0.0  # inside seed_tables
    statements: int = 0
    hook_seconds: float = 0.0  # inside the tracer's hooks (traced only)
    statement_ms: list[float] = field(default_factory=list)  # the statements' own durations (traced only)


@contextlib.contextmanager
def tracer_hooks(mode: str, totals: list[float]) -> Iterator[None]:
    """``timed``: the tracer's hooks, timed into ``totals[0]``; ``off``: the hooks do nothing.

    The Tracer registers its bound methods with SQLAlchemy in ``__init__``, so replacing the class attributes
    before ``_run`` builds its Tracer is enough; the originals come back afterwards.
    """
    from migsafe.replay.tracer import Tracer

    originals = {name: getattr(Tracer, name) for name in TRACER_HOOKS}

    def timed(function: Callable) -> Callable:
        def hook(*args: object, **kwargs: object) -> object:
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                totals[0] += time.perf_counter() - started
        return hook

    try:
        for name, function in originals.items():
            setattr(Tracer, name, timed(function) if mode == "timed" else (lambda *args, **kwargs: None))
        yield
    finally:
        for name, function in originals.items():
            setattr(Tracer, name, function)


def traced_run(db: Any, load: Workload, rows: int, tracing: bool = True) -> RunResult:
    from migsafe.replay import seed

    loop = replay_loop()
    hooks, seeding = [0.0], [0.0]
    with tracer_hooks("timed" if tracing else "off", hooks), timed_function(seed, "seed_tables", seeding):
        started = time.perf_counter()
        revisions = loop(db, load.files, load.reported, load.work, rows)
        seconds = time.perf_counter() - started
    return RunResult(
        seconds=seconds,
        failed=[r.revision for r in revisions if r.error],
        seeded_rows=sum(sum(r.seeded.values()) for r in revisions),
        seed_seconds=seeding[0],
        statements=sum(len(r.statements) for r in revisions),
        hook_seconds=hooks[0],
        statement_ms=[s.duration_ms for r in revisions for s in r.statements],
    )


def alembic_config(load: Workload, url: str) -> Any:
    """The sample's Alembic settings pointed at ``url``. No config file, so env.py skips ``fileConfig`` and
    Alembic's INFO lines stay off the terminal (replay does not print them either)."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", load.script_location)
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))  # configparser interpolation
    return config


def plain_run(db: Any, load: Workload, rows: int) -> RunResult:
    from alembic import command

    from migsafe.replay import seed

    config = alembic_config(load, db.url)
    failed: list[str] = []
    seeded = 0
    seeding = [0.0]
    with warnings.catch_warnings(), timed_function(seed, "seed_tables", seeding):
        warnings.simplefilter("ignore")  # replay silences Alembic's and SQLAlchemy's warnings too
        started = time.perf_counter()
        for file in load.files:
            if file.revision in load.reported:  # where replay seeds (one transaction per revision)
                with db.connect(autocommit=True) as conn:
                    seeded += seed.seed_tables(conn, rows).total_inserted
            try:
                command.upgrade(config, file.revision)
            except Exception:  # noqa: BLE001 - fails on a real server, and so it does under replay
                failed.append(file.revision)
                command.stamp(config, file.revision)  # go on with the next revision, as replay does
        seconds = time.perf_counter() - started
    return RunResult(seconds=seconds, failed=failed, seeded_rows=seeded, seed_seconds=seeding[0])


def public_replay_run(server: Any, load: Workload, rows: int) -> RunResult:
    """``replay()`` as the CLI calls it, on this server: static review, its own scratch database, reconcile."""
    from migsafe.replay.run import ReplayOptions, replay

    started = time.perf_counter()
    result = replay(ReplayOptions(paths=[load.sample], cwd=REPO, database_url=server.url, rows=rows))
    seconds = time.perf_counter() - started
    return RunResult(seconds=seconds, failed=[r.revision for r in result.revisions if r.error],
                     seeded_rows=sum(sum(r.seeded.values()) for r in result.revisions))


def alembic_invocation_cost(server: Any, load: Workload, runs: int) -> Samples:
    """``command.upgrade(config, "head")`` at head: Alembic's fixed cost per invocation, nothing to run."""
    from alembic import command

    times = Samples()
    with fresh_database(server) as db, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        config = alembic_config(load, db.url)
        command.stamp(config, "head")
        for _ in range(runs):
            started = time.perf_counter()
            command.upgrade(config, "head")
            times.add(time.perf_counter() - started)
    return times


@dataclass
class Comparison:
    sample: str
    revisions: int
    variants: dict[str, Samples]
    ratios: Samples  # traced / plain, paired per run
    hooks: Samples
    seeding: Samples  # seed_tables inside the traced runs
    failed: list[str]
    seeded_rows: int
    statements: int
    statement_ms: float
    invocations: int  # Alembic invocations of one plain run (upgrades plus stamps)
    invocation: Samples


def compare(server: Any, sample: Path, runs: int, warmup: int, rows: int, with_public: bool) -> Comparison:
    load = load_workload(sample)
    variants: dict[str, Callable[[], RunResult]] = {}

    def in_fresh_database(function: Callable[[Any], RunResult]) -> Callable[[], RunResult]:
        def run() -> RunResult:
            with fresh_database(server) as db:
                return function(db)
        return run

    variants["plain"] = in_fresh_database(lambda db: plain_run(db, load, rows))
    variants["traced"] = in_fresh_database(lambda db: traced_run(db, load, rows))
    variants["untraced"] = in_fresh_database(lambda db: traced_run(db, load, rows, tracing=False))
    if with_public:
        variants["replay()"] = lambda: public_replay_run(server, load, rows)
    names = list(variants)
    times = {name: Samples() for name in names}
    ratios, hooks, seeding = Samples(), Samples(), Samples()
    last: dict[str, RunResult] = {}
    statement_ms: list[float] = []
    for index in range(warmup + runs):
        shift = index % len(names)
        for name in names[shift:] + names[:shift]:  # rotate: no variant always runs first or last
            last[name] = variants[name]()
        if index >= warmup:
            for name in names:
                times[name].add(last[name].seconds)
            ratios.add(last["traced"].seconds / last["plain"].seconds)
            hooks.add(last["traced"].hook_seconds)
            seeding.add(last["traced"].seed_seconds)
            statement_ms += last["traced"].statement_ms
    # Like for like: the same revisions fail and the same rows go in on every side.
    outcomes = {name: (result.failed, result.seeded_rows) for name, result in last.items()}
    if len(set(map(repr, outcomes.values()))) != 1:
        raise BenchmarkError(f"{sample.name}: the variants did different work (failed revisions, rows seeded): "
                             f"{outcomes}")
    plain = last["plain"]
    return Comparison(
        sample=sample.name, revisions=len(load.files), variants=times, ratios=ratios, hooks=hooks, seeding=seeding,
        failed=plain.failed, seeded_rows=plain.seeded_rows, statements=last["traced"].statements,
        statement_ms=statistics.mean(statement_ms) if statement_ms else 0.0,
        invocations=len(load.files) + len(plain.failed),
        invocation=alembic_invocation_cost(server, load, max(runs, 3)),
    )


def report_comparison(c: Comparison) -> None:
    labels = {
        "plain": "plain    alembic upgrade, one revision at a time",
        "traced": "traced   migsafe replay loop (_run)",
        "untraced": "untraced replay loop, tracer hooks off",
        "replay()": "replay() public API on this server",
    }
    failed = (f"; {len(c.failed)} fail on the server ({', '.join(c.failed)}): plain Alembic stamps past them, "
              "replay records them") if c.failed else "; none fails on the server"
    say(f"-- {c.sample}: {c.revisions} revisions, {c.seeded_rows} rows seeded per run{failed}")
    for name, samples in c.variants.items():
        say(f"  {labels[name]:<50} {samples.summary()}")
    say(f"  {'  seed_tables inside traced (same calls in all)':<50} {c.seeding.summary()}")
    say(f"  {'alembic cost per invocation (upgrade at head)':<50} "
        f"{c.invocation.summary(unit='ms', scale=1000, digits=1)}; a plain run makes {c.invocations}")
    ratio = c.ratios.median
    say(f"traced replay / plain alembic upgrade ({c.sample}, {c.revisions} revisions): {ratio:.2f}; "
        f"target {OVERHEAD_TARGET:g}; ratio {ratio / OVERHEAD_TARGET:.2f}")
    say(f"  paired per run: min {min(c.ratios.values):.2f}, max {max(c.ratios.values):.2f}")
    plain, traced, untraced = (c.variants[n].median for n in ("plain", "traced", "untraced"))
    charged_once = plain - (c.invocations - 1) * c.invocation.median
    if charged_once > 0:
        strict = traced / charged_once
        say(f"  strict, plain charged for one Alembic invocation only ({charged_once:.3f} s): {strict:.2f}; "
            f"ratio {strict / OVERHEAD_TARGET:.2f}")
    if "replay()" in c.variants:
        public = c.variants["replay()"].median / plain
        say(f"  replay() (static review, scratch database, reconcile included) / plain: {public:.2f}; "
            f"ratio {public / OVERHEAD_TARGET:.2f}")
    say(f"  traced / untraced (the tracing alone): {traced / untraced:.2f}")
    if c.statements:
        say(f"  per statement: {c.statements} statements traced; tracing overhead "
            f"{c.hooks.median * 1000 / c.statements:.2f} ms each inside the tracer hooks "
            f"({c.hooks.median * 1000:.0f} ms per run), {(traced - untraced) * 1000 / c.statements:.2f} ms each "
            f"as (traced - untraced) / statements; the statements themselves take {c.statement_ms:.2f} ms on average")


# --------------------------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="measured runs per measurement (default 5)")
    parser.add_argument("--warmup", type=int, default=1, help="warm-up runs, not counted (default 1)")
    parser.add_argument("--rows", type=int, default=ROWS, help=f"rows seeded per table (default {ROWS})")
    parser.add_argument("--pg-bin", type=Path, default=None, help="directory with initdb and postgres")
    parser.add_argument("--skip-end-to-end", action="store_true", help="only the comparison on one server")
    parser.add_argument("--public-api", action="store_true",
                        help="also time replay(ReplayOptions(database_url=<the server>)) against plain Alembic "
                             "(static review, scratch database and reconciliation included; ~25 s more)")
    args = parser.parse_args(argv)
    if args.runs < 1 or args.warmup < 0:
        parser.error("--runs must be at least 1 and --warmup at least 0")

    try:
        import migsafe
        from migsafe.replay.server import ServerUnavailableError, find_server_binaries, local_cluster
    except ImportError as error:
        raise BenchmarkError(f"migsafe is not importable from {sys.executable} ({error}); "
                             "run `pip install -e .` in the repository first") from None
    try:
        binaries = find_server_binaries(args.pg_bin)
    except ServerUnavailableError as error:
        raise BenchmarkError(f"no PostgreSQL to benchmark against: {error}") from None
    check_replay_internals()

    began = time.perf_counter()
    dangerous, clean = SAMPLES / "dangerous", SAMPLES / "clean"
    say(f"migsafe {migsafe.__version__}, Python {sys.version.split()[0]}, PostgreSQL {binaries.version} "
        f"({binaries.bindir}), {os.cpu_count()} CPUs, {load_average()}")
    say(f"{args.runs} measured runs after {args.warmup} warm-up; medians unless said otherwise; {args.rows} rows/table")
    say()

    if not args.skip_end_to_end:
        say(f"== end to end: python -m migsafe replay {dangerous.relative_to(REPO)} --format json ==")
        pg_bin_args = ["--pg-bin", str(args.pg_bin)] if args.pg_bin else []
        times, report = end_to_end(dangerous, args.runs, args.warmup, pg_bin_args + ["--rows", str(args.rows)])
        revisions = report.get("summary", {}).get("revisions_loaded") or len(report.get("revisions", []))
        say(f"  {times.summary()}; {len(report.get('statements', []))} statements traced; the report's own "
            f"replay_seconds (in process, server start included) {report.get('replay_seconds')} s in the last run")
        say(f"end-to-end replay ({revisions} revisions): {times.median:.2f} s; target {END_TO_END_TARGET_S:g} s; "
            f"ratio {times.median / END_TO_END_TARGET_S:.2f}")
        if revisions > END_TO_END_TARGET_REVISIONS:
            # The target is for 20 revisions: measure exactly that, on a copy holding the sample's first 20.
            with first_revisions(dangerous, END_TO_END_TARGET_REVISIONS) as cut:
                cut_times, _ = end_to_end(cut, min(args.runs, 3), 0, pg_bin_args + ["--rows", str(args.rows)])
            say(f"  its first {END_TO_END_TARGET_REVISIONS} revisions (a copy): {cut_times.summary()}")
            say(f"end-to-end replay ({END_TO_END_TARGET_REVISIONS} revisions): {cut_times.median:.2f} s; "
                f"target {END_TO_END_TARGET_S:g} s; ratio {cut_times.median / END_TO_END_TARGET_S:.2f}")
        elif revisions and revisions < END_TO_END_TARGET_REVISIONS:
            per_revision = END_TO_END_TARGET_REVISIONS / revisions
            say(f"  the target is for {END_TO_END_TARGET_REVISIONS} revisions; the sample has {revisions}, so at "
                f"most ~{times.median * per_revision:.2f} s for {END_TO_END_TARGET_REVISIONS} "
                f"(scaled linearly, fixed costs included: an upper bound)")
        say("  where it goes (each part measured on its own; the replay loop is 'traced' in the next part):")
        for name, samples in breakdown(dangerous, min(args.runs, 3), args.pg_bin).items():
            say(f"    {name:<60} {samples.median:.3f} s")
        say()

    with local_cluster(binaries) as server:  # as its superuser: every run gets a fresh database
        say(f"== tracing overhead: one server (PostgreSQL {server.server_version}), a fresh database per run ==")
        for sample in (dangerous, clean):
            report_comparison(compare(server, sample, args.runs, args.warmup, args.rows,
                                      with_public=args.public_api and sample is dangerous))
            say()
    say(f"benchmark took {time.perf_counter() - began:.0f} s; {load_average()}")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BenchmarkError as error:
        print(f"replay benchmark: {error}", file=sys.stderr)
        sys.exit(2)
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception:  # noqa: BLE001 - migsafe itself failed: show where, but as the benchmark's own failure
        import traceback

        traceback.print_exc()
        print("replay benchmark: migsafe raised an unexpected error (above); nothing was measured past it",
              file=sys.stderr)
        sys.exit(2)
