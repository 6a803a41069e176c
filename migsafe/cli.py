"""The command line: parse arguments, call the library, render, choose the exit code. Nothing else."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Callable, List, Optional, TextIO

import typer

from migsafe import __version__
from migsafe.errors import MigsafeError

if TYPE_CHECKING:
    from migsafe.engine import ReviewOptions
    from migsafe.report import Report

app = typer.Typer(
    name="migsafe",
    help="Safety reviewer for Alembic migrations on PostgreSQL.",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    # Help texts are Rich markup (said explicitly: typer's default has changed between versions): a literal
    # "[" is written "\\[", or "[tool.migsafe]" is taken for a style tag and vanishes.
    rich_markup_mode="rich",
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"migsafe {__version__}")
        raise typer.Exit(0)


@app.callback()
def main(
    version: bool = typer.Option(False, "--version", "-V", callback=_version, is_eager=True,
                                 help="Print the version and exit."),
) -> None:
    """Safety reviewer for Alembic migrations on PostgreSQL."""


def _use_color(no_color: bool, out: TextIO) -> bool:
    if no_color or os.environ.get("NO_COLOR"):
        return False
    return out.isatty()


def _claim_stdout() -> TextIO:
    """The report's own stream. Descriptor 1 and ``sys.stdout`` then lead to /dev/null: whatever revision code
    writes there, from a thread, a child process or a C extension, while or after it runs, never mixes with
    the report. (Under a test runner's capture, where ``sys.stdout`` is not descriptor 1, it is returned as
    it is.)"""
    stream = sys.stdout
    try:
        if stream.fileno() != 1:
            return stream
        stream.flush()
        saved = os.dup(1)
        devnull = os.open(os.devnull, os.O_WRONLY)
    except (OSError, ValueError, AttributeError):
        return stream
    os.dup2(devnull, 1)
    os.close(devnull)
    os.set_inheritable(saved, False)
    out = os.fdopen(saved, "w", encoding=getattr(stream, "encoding", None) or "utf-8", errors="replace")
    sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - for the life of the process
    return out


@app.command()
def review(
    paths: List[Path] = typer.Argument(None, help="Versions directory, project directory, alembic.ini, or "
                                                  "revision files. Default: the project in the current directory."),
    output_format: str = typer.Option("text", "--format", "-f", help="Output format: text (fitted to the "
                                                                      "terminal), concise (one line per finding), "
                                                                      "json, github, sarif, markdown or gitlab."),
    fail_on: Optional[str] = typer.Option(None, "--fail-on", help="Exit 1 on findings at or above: error, "
                                                                  "warning (default) or never."),
    pg_version: Optional[str] = typer.Option(None, "--pg-version", help="Target PostgreSQL version (default 15)."),
    select: Optional[List[str]] = typer.Option(None, "--select", help="Only these rule ids (comma-separated); "
                                                                      "replaces the configuration's selection."),
    extend_select: Optional[List[str]] = typer.Option(None, "--extend-select",
                                                      help="Also these rule ids (comma-separated)."),
    ignore: Optional[List[str]] = typer.Option(None, "--ignore", help="Skip these rule ids too (comma-separated); "
                                                                      "the configuration's ignores still hold."),
    extend_ignore: Optional[List[str]] = typer.Option(None, "--extend-ignore", help="The same as --ignore."),
    since: Optional[str] = typer.Option(None, "--since", help="Review only revisions after this revision id."),
    config: Optional[Path] = typer.Option(None, "--config", help="pyproject.toml (or migsafe.toml) to read."),
    no_color: bool = typer.Option(False, "--no-color", help="No colour (also: NO_COLOR set)."),
    hook: bool = typer.Option(False, "--hook", help="Compact advisory text for Alembic's post-write hook "
                                                    "(`review --hook REVISION_SCRIPT_FILENAME`)."),
    strict_imports: bool = typer.Option(False, "--strict-imports",
                                        help="A module a revision imports that is not installed is a load-error "
                                             "(default: replace it with a stand-in and mark the review partial)."),
    changed_since: Optional[str] = typer.Option(None, "--changed-since", metavar="GITREF",
                                                help="Report only revisions whose files changed since the merge "
                                                     "base of GITREF and HEAD (committed or not)."),
    outputs: Optional[List[str]] = typer.Option(None, "--output", "-o", metavar="FORMAT=PATH",
                                                help="Also write this format to PATH (repeatable)."),
    downgrade: bool = typer.Option(False, "--downgrade",
                                   help="Also review each revision's downgrade() (a rollback takes the same "
                                        "locks); its findings are marked downgrade."),
    baseline_file: Optional[Path] = typer.Option(None, "--baseline", metavar="FILE",
                                                 help="Report only findings not in this baseline file (default: "
                                                      "\\[tool.migsafe] baseline, else .migsafe-baseline.json "
                                                      "beside the configuration when it exists)."),
    no_baseline: bool = typer.Option(False, "--no-baseline", help="Report every finding; ignore any baseline."),
    revision_timeout: Optional[float] = typer.Option(None, "--revision-timeout", metavar="SECONDS",
                                                     help="A revision whose import and upgrade run longer is a "
                                                          "load-error (default 60; 0: no limit)."),
    no_cache: bool = typer.Option(False, "--no-cache", help="Record every revision again; read and write no "
                                                            "cache."),
    statistics: bool = typer.Option(False, "--statistics", help="Print how many findings each rule has instead "
                                                                "of the findings (text, or an object with "
                                                                "--format json)."),
    cache_dir: Optional[Path] = typer.Option(None, "--cache-dir", metavar="DIR",
                                             help="Cache recordings here (default: \\[tool.migsafe] cache-dir, else "
                                                  ".migsafe_cache beside the versions directory)."),
    stats_file: Optional[Path] = typer.Option(None, "--stats", metavar="FILE",
                                              help="A `migsafe stats` snapshot: findings carry table sizes and "
                                                   "estimated lock durations, and severity follows size "
                                                   "(default: \\[tool.migsafe] stats)."),
    calibration_file: Optional[Path] = typer.Option(None, "--calibration", metavar="FILE",
                                                    help="A `migsafe calibrate` file: estimates use its measured "
                                                         "throughputs instead of the built-in defaults (default: "
                                                         "\\[tool.migsafe] calibration)."),
    fix: bool = typer.Option(False, "--fix", help="Rewrite the reviewed revisions in place into the safe form "
                                                  "of the findings that have one, then report what remains "
                                                  "(docs/fix.md: review only what production has not run)."),
    diff: bool = typer.Option(False, "--diff", help="Print what --fix would change as a unified diff and write "
                                                    "nothing; exit 1 when it would change a file."),
    followup_revision: bool = typer.Option(False, "--followup-revision",
                                           help="With --fix: validate constraints added NOT VALID in a new revision "
                                                "after the head (from script.py.mako) instead of an autocommit "
                                                "block in the same revision."),
) -> None:
    """Review revision scripts and report the migrations that will hurt a live database."""
    from migsafe.engine import ReviewOptions
    from migsafe.reporters import FORMATS, render
    from migsafe.reporters.wrap import output_width
    from migsafe.worker import review as run_review

    if output_format not in FORMATS:
        _fail(f"--format must be one of {', '.join(FORMATS)}, not {output_format!r}")
    if hook and output_format != "text":
        _fail("--hook prints compact text; leave out --format")
    if statistics and (hook or output_format not in ("text", "json")):
        _fail("--statistics prints text or json: leave out " + ("--hook" if hook else f"--format {output_format}"))
    if diff and (hook or output_format != "text" or statistics):
        _fail("--diff prints a diff: leave out " + ("--hook" if hook else "--statistics" if statistics
                                                     else f"--format {output_format}"))
    if fix and statistics:
        _fail("--fix reports the findings that remain: leave out --statistics")
    if followup_revision and (diff or not fix):
        _fail("--followup-revision writes a new revision: it goes with --fix, without --diff")
    targets = _output_targets(outputs or [], FORMATS)
    options = ReviewOptions(paths=list(paths or []), config_file=config, pg_version=pg_version, select=select,
                            extend_select=extend_select, ignore=[*(ignore or []), *(extend_ignore or [])],
                            fail_on=fail_on, since=since,
                            changed_since=changed_since, strict_imports=strict_imports,
                            downgrade=downgrade or None, revision_timeout=revision_timeout,
                            baseline=baseline_file, use_baseline=not no_baseline,
                            use_cache=not no_cache, cache_dir=cache_dir, stats=stats_file,
                            calibration=calibration_file)
    if baseline_file is not None and no_baseline:
        _fail("--baseline and --no-baseline contradict each other")
    if cache_dir is not None and no_cache:
        _fail("--cache-dir and --no-cache contradict each other")
    out = _claim_stdout()
    report = _guard(lambda: _with_progress(no_color, lambda: run_review(options)))
    if fix or diff:
        report = _fix(options, report, lambda: run_review(options), out, write=not diff, no_color=no_color,
                      followup=followup_revision)
    for fmt, target in targets:
        try:
            target.write_text(render(fmt, report, color=False, width=output_width()), encoding="utf-8")
        except OSError as exc:
            _fail(f"--output {fmt}={target}: cannot write: {exc.strerror or exc}")
    if hook:
        from migsafe.reporters.text_reporter import render_hook

        out.write(render_hook(report, color=_use_color(no_color, out)))
        out.flush()
        _leave(report.exit_code())
    if statistics:
        from migsafe.reporters import statistics as stats

        out.write(stats.render_json(report) if output_format == "json"
                  else stats.render_text(report, color=_use_color(no_color, out), width=output_width(out)))
    else:
        out.write(render(output_format, report, color=_use_color(no_color, out), width=output_width(out)))
    out.flush()
    _leave(report.exit_code())


def _fix(options: "ReviewOptions", report: "Report", again: "Callable[[], Report]", out: TextIO, *, write: bool,
         no_color: bool, followup: bool = False) -> "Report":
    """``--fix``: the report after fixing (its notes say what was left and why); ``--diff``: print the diff
    and leave (exit 1 when there is one). libcst is imported here only: plain reviews never load it."""
    from migsafe.fixing.session import fix_review

    shown, plan = _guard(lambda: fix_review(options, report, lambda: _with_progress(no_color, again),
                                            write=write, followup=followup))
    if write:
        fixed = sum(len(change.fixed) for change in plan.changes)
        typer.echo(f"migsafe: fixed {fixed} finding{'s' if fixed != 1 else ''} in {len(plan.changes)} "
                   f"file{'s' if len(plan.changes) != 1 else ''}", err=True)
        return shown
    for change in plan.changes:
        out.write(change.diff(report.display_path(change.path)))
    out.flush()
    for note in plan.notes:
        where = f"{report.display_path(note.path)}:{note.line}: " if note.path and note.line else ""
        typer.echo(f"migsafe: {where}{note.message}", err=True)
    _leave(1 if plan.changes else 0)


@app.command("baseline")
def write_baseline(
    paths: List[Path] = typer.Argument(None, help="As for `migsafe review`."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", metavar="FILE",
                                          help="Where to write (default: \\[tool.migsafe] baseline, else "
                                               ".migsafe-baseline.json beside the configuration, else here)."),
    config: Optional[Path] = typer.Option(None, "--config", help="pyproject.toml (or migsafe.toml) to read."),
    pg_version: Optional[str] = typer.Option(None, "--pg-version", help="Target PostgreSQL version (default 15)."),
    downgrade: bool = typer.Option(False, "--downgrade", help="Include the findings of downgrade() too."),
) -> None:
    """Write the findings that exist today to a baseline file; reviews then report only new ones."""
    from migsafe import baseline
    from migsafe.engine import ReviewOptions, baseline_path, resolve_settings
    from migsafe.project import locate
    from migsafe.worker import review as run_review

    options = ReviewOptions(paths=list(paths or []), config_file=config, pg_version=pg_version,
                            downgrade=downgrade or None, use_baseline=False)
    report = _guard(lambda: _with_progress(False, lambda: run_review(options)))
    target = output if output is not None else _guard(
        lambda: baseline_path(options, resolve_settings(options, locate(options.paths, options.cwd)))[0])
    count = _guard(lambda: baseline.write(report.findings, target))
    typer.echo(f"migsafe: wrote {count} finding{'s' if count != 1 else ''} to {target}")
    for error in report.errors:
        where = f"{report.display_path(error.path)}:{error.line}: " if error.path else ""
        typer.echo(f"migsafe: {where}{error.kind}: {error.message} (its findings are not in the baseline)", err=True)
    _leave(2 if report.errors else 0)


@app.command()
def replay(
    paths: List[Path] = typer.Argument(None, help="As for `migsafe review`."),
    output_format: str = typer.Option("text", "--format", "-f", help="Output format: text, json or markdown."),
    database_url: Optional[str] = typer.Option(None, "--database-url", envvar="MIGSAFE_DATABASE_URL",
                                               help="An existing server to use: migsafe creates and drops its own "
                                                    "scratch database and role there (the URL's role needs "
                                                    "CREATEDB and CREATEROLE); revisions run as that role."),
    pg_bin: Optional[Path] = typer.Option(None, "--pg-bin", help="Directory with initdb, pg_ctl and postgres."),
    pg_version: Optional[str] = typer.Option(None, "--pg-version", help="PostgreSQL version to judge for and to "
                                                                        "start (major must be installed)."),
    rows: int = typer.Option(5000, "--rows", min=0, help="Rows seeded into each existing table (with --stats: into the largest, the others in proportion)."),
    fail_on: Optional[str] = typer.Option(None, "--fail-on", help="error, warning (default) or never."),
    since: Optional[str] = typer.Option(None, "--since", help="Replay only revisions after this revision id."),
    config: Optional[Path] = typer.Option(None, "--config", help="pyproject.toml (or migsafe.toml) to read."),
    no_color: bool = typer.Option(False, "--no-color", help="No colour (also: NO_COLOR set)."),
    changed_since: Optional[str] = typer.Option(None, "--changed-since", metavar="GITREF",
                                                help="Replay only revisions changed since the merge base with "
                                                     "GITREF (the rest of the history is applied for context)."),
    strict_imports: bool = typer.Option(False, "--strict-imports",
                                        help="A module a revision imports that is not installed is a load-error."),
    revision_timeout: Optional[float] = typer.Option(None, "--revision-timeout", metavar="SECONDS",
                                                     help="A revision that runs longer is stopped, its statement "
                                                          "ended on the server, and reported as migration-failed "
                                                          "(default 60; 0: no limit)."),
    stats_file: Optional[Path] = typer.Option(None, "--stats", metavar="FILE",
                                              help="A `migsafe stats` snapshot: seed tables in proportion to "
                                                   "production (the largest gets --rows) and extrapolate each "
                                                   "statement's duration to the production size (default: "
                                                   "\\[tool.migsafe] stats)."),
    contention: bool = typer.Option(False, "--contention",
                                    help="Replay the lock queue: run each statement that takes a lock blocking "
                                         "reads or writes of an existing table behind a slow reader and under a "
                                         "small application load, as written and with a lock_timeout."),
    contention_reader: float = typer.Option(4.0, "--contention-reader", metavar="SECONDS", min=0.1, max=600,
                                            help="With --contention: how long the slow reader holds ACCESS SHARE."),
    contention_rate: float = typer.Option(20.0, "--contention-rate", metavar="QUERIES", min=1, max=200,
                                          help="With --contention: application queries per second."),
    timeline: Optional[Path] = typer.Option(None, "--timeline", metavar="PATH",
                                            help="With --contention: write the timeline (lock wait and hold against "
                                                 "the application's waits) as an SVG file."),
) -> None:
    """Run the revisions on a throwaway PostgreSQL and show the locks, rewrites and scans they really cause."""
    from migsafe.replay.run import ReplayOptions
    from migsafe.replay.run import replay as run_replay

    formats = ("text", "json", "markdown")
    if output_format not in formats:
        _fail(f"--format must be one of {', '.join(formats)}, not {output_format!r}")
    if timeline is not None and not contention:
        _fail("--timeline draws what --contention measures: add --contention")
    measure = None
    if contention:
        from migsafe.replay.contention import ContentionOptions

        measure = ContentionOptions(reader_seconds=contention_reader, rate=contention_rate)
    options = ReplayOptions(paths=list(paths or []), config_file=config, pg_version=pg_version, fail_on=fail_on,
                            since=since, database_url=database_url, pg_bin=pg_bin, rows=rows,
                            changed_since=changed_since, strict_imports=strict_imports,
                            revision_timeout=revision_timeout, stats=stats_file, contention=measure)
    out = _claim_stdout()
    result = _guard(lambda: _with_progress(no_color, lambda: run_replay(options)))
    if output_format == "text":
        from migsafe.reporters.replay_text import render

        out.write(render(result, color=_use_color(no_color, out), width=_width(out)))
    else:
        module = __import__(f"migsafe.reporters.replay_{output_format}", fromlist=["render"])
        out.write(module.render(result, color=_use_color(no_color, out)))
    out.flush()
    if timeline is not None:
        _write_timeline(timeline, result)
    raise typer.Exit(result.exit_code())


def _write_timeline(path: Path, result: object) -> None:
    from migsafe.reporters.timeline import svg

    measured = [(r.revision, s) for r in result.revisions for s in r.statements  # type: ignore[attr-defined]
                if s.contention is not None]
    try:
        path.write_text(svg(measured), encoding="utf-8")
    except OSError as error:
        _fail(f"{path}: cannot write the timeline: {error.strerror or error}")


@app.command()
def stats(
    # No envvar: MIGSAFE_DATABASE_URL is replay's, and replay must never be given production. This command is
    # for production; it takes its URL only when asked explicitly.
    database_url: Optional[str] = typer.Option(None, "--database-url", metavar="URL",
                                               help="The database to read (production, or a replica for sizes): "
                                                    "read-only, catalog only, never waits behind a lock."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", metavar="FILE",
                                          help="Write the snapshot here (default: stdout)."),
    lock_timeout: str = typer.Option("100ms", "--lock-timeout", metavar="DURATION",
                                     help="Give up if any lock is not granted within this (a safety net: the "
                                          "catalog reads take none on your tables)."),
    statement_timeout: str = typer.Option("30s", "--statement-timeout", metavar="DURATION",
                                          help="Give up on a catalog query that runs longer."),
) -> None:
    """Write a snapshot of the database's table sizes, row estimates and activity (docs/stats.md)."""
    from migsafe.stats.collect import collect
    from migsafe.stats.snapshot import dump, write

    if database_url is None:
        _fail("stats needs --database-url URL (MIGSAFE_DATABASE_URL is replay's and is not read)")
    if output is not None and (output.is_dir() or not output.parent.is_dir()):
        _fail(f"--output {output}: cannot write there (no such directory, or a directory)")
    snapshot = _guard(lambda: collect(database_url, lock_timeout=lock_timeout,
                                      statement_timeout=statement_timeout))
    if output is None:
        sys.stdout.write(dump(snapshot))
        sys.stdout.flush()
        return
    _guard(lambda: write(snapshot, output))
    typer.echo(f"migsafe: wrote {len(snapshot.tables)} table{'s' if len(snapshot.tables) != 1 else ''} "
               f"({snapshot.source}, PostgreSQL {snapshot.server_version}) to {output}", err=True)


@app.command()
def calibrate(
    # No envvar, as for stats: calibration loads a server hard, so it runs where it is pointed explicitly.
    database_url: Optional[str] = typer.Option(None, "--database-url", metavar="URL",
                                               help="Measure on this server, in a scratch database migsafe creates "
                                                    "and drops (refused when the URL's database has tables); "
                                                    "default: a throwaway local cluster with fsync, "
                                                    "synchronous_commit and full_page_writes on."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", metavar="FILE",
                                          help="Write the calibration file here (default: stdout)."),
    rows: int = typer.Option(100_000, "--rows", metavar="N", help="Rows in the measured table (1000 to 10^7)."),
    runs: int = typer.Option(3, "--runs", metavar="N", help="Fresh tables per operation; the median counts."),
    pg_bin: Optional[Path] = typer.Option(None, "--pg-bin", help="Directory with initdb and postgres."),
) -> None:
    """Measure rewrite, scan, validation, index-build and back-fill throughputs for `review --stats` estimates
    (docs/stats.md, "Calibration")."""
    from migsafe.replay.calibrate import calibrate as run_calibration
    from migsafe.stats.calibration import dump, write

    if output is not None and (output.is_dir() or not output.parent.is_dir()):
        _fail(f"--output {output}: cannot write there (no such directory, or a directory)")
    result = _guard(lambda: run_calibration(database_url, rows=rows, runs=runs,
                                            pg_bin=str(pg_bin) if pg_bin else None))
    if output is None:
        sys.stdout.write(dump(result))
        sys.stdout.flush()
        return
    _guard(lambda: write(result, output))
    durability = ", ".join(f"{name} {value}" for name, value in result.durability.items())
    typer.echo(f"migsafe: wrote throughputs measured on {result.rows:,} rows ({result.server}, PostgreSQL "
               f"{result.server_version.split()[0]}, {durability}) to {output}", err=True)


def _with_progress(no_color: bool, call):  # type: ignore[no-untyped-def]
    """``call()`` with a progress bar on stderr when stderr is a terminal; nothing otherwise (CI logs stay
    clean, and stdout, the report's, never gets it)."""
    from migsafe.progress_bar import on_stderr

    with on_stderr(no_color):
        return call()


def _width(out: TextIO) -> int:
    """Columns to render for: ``COLUMNS`` when set (as ``shutil.get_terminal_size`` reads it), else the
    terminal's when ``out`` is one, else 140 (a log or a file, read in a wide window)."""
    try:
        return max(int(os.environ["COLUMNS"]), 40)
    except (KeyError, ValueError):
        pass
    try:
        if out.isatty():
            return max(os.get_terminal_size(out.fileno()).columns, 40)
    except (OSError, ValueError):
        pass
    return 140


@app.command("rules")
def list_rules() -> None:
    """List every rule with its id, default severity and summary."""
    from migsafe.rules import all_rules

    width = max(len(r.id) for r in all_rules())
    for rule in all_rules():
        typer.echo(f"{rule.id:<{width}}  {rule.severity:<7}  {rule.summary}")


@app.command()
def explain(rule_id: str = typer.Argument(..., help="A rule id, as shown by `migsafe rules`.")) -> None:
    """Show a rule's documentation: the problem, what PostgreSQL does, and the safe recipe (rendered on a
    terminal; the Markdown source when piped)."""
    from migsafe.docs import rule_doc
    from migsafe.rules import known_rule_ids

    if rule_id not in known_rule_ids():
        _fail(f"unknown rule id {rule_id!r} (see `migsafe rules`)")
    text = rule_doc(rule_id)
    if text is None:
        _fail(f"no documentation page found for {rule_id}")
    if sys.stdout.isatty():  # a reader: render the Markdown; piped or redirected: the page as written
        from rich.console import Console
        from rich.markdown import Markdown

        Console(highlight=False).print(Markdown(text))
    else:
        typer.echo(text)


def _fail(message: str) -> None:
    typer.echo(f"migsafe: error: {message}", err=True)
    raise typer.Exit(2)


def _guard(call):  # type: ignore[no-untyped-def]
    """Run the library; turn any failure into one line on stderr and exit code 2 - never a traceback."""
    try:
        return call()
    except MigsafeError as exc:
        _fail(str(exc))
    except KeyboardInterrupt:
        typer.echo("migsafe: interrupted", err=True)
        raise typer.Exit(130) from None
    except Exception as exc:  # noqa: BLE001 - a bug in migsafe must still not print a traceback at users
        detail = str(exc).strip().splitlines()
        _fail(f"internal error: {type(exc).__name__}: {detail[0] if detail else ''} "
              "(please report this with the revision that triggered it)")


def _output_targets(specs: List[str], formats: tuple[str, ...]) -> list[tuple[str, Path]]:
    """``--output FORMAT=PATH`` values, checked before any revision runs."""
    targets: list[tuple[str, Path]] = []
    for spec in specs:
        fmt, sep, name = spec.partition("=")
        if not sep or not name:
            _fail(f"--output must be FORMAT=PATH, not {spec!r}")
        if fmt not in formats:
            _fail(f"--output format must be one of {', '.join(formats)}, not {fmt!r}")
        target = Path(name)
        if target.is_dir() or not target.parent.is_dir():
            _fail(f"--output {spec}: cannot write there (no such directory, or a directory)")
        if any(target.resolve() == other.resolve() for _, other in targets):
            _fail(f"--output {spec}: that path is given twice")
        targets.append((fmt, target))
    return targets


_OWN_PROCESS = False  # set by run(): the process is migsafe's and ends with the command


def _leave(code: int) -> None:
    """End a review. In migsafe's own process, without tearing down the review's object graph first: on a
    2,000-revision history interpreter finalization takes about a second, for memory the exit frees anyway.
    Everything written is flushed; revisions' atexit hooks do not run (a review runs them for their SQL, not
    their side effects)."""
    if _OWN_PROCESS:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except (OSError, ValueError):
                pass
        os._exit(code)
    raise typer.Exit(code)


def run() -> None:
    global _OWN_PROCESS
    _OWN_PROCESS = True
    # Output often goes to a pipe (Alembic's post-write hook, CI, pre-commit) whose encoding may not show every
    # character of a path or source line: print "?" for those instead of dying with a UnicodeEncodeError.
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="replace")
    app()
