"""The review, end to end: files -> revisions -> recorded statements -> findings -> one report.

Nothing here prints; the CLI renders the report with a reporter.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from migsafe import config as cfg
from migsafe import deploy as dp
from migsafe import progress
from migsafe.cache import DIRECTORY_NAME, Cache, HistoryCache
from migsafe.envpy import Driver, read_driver, read_env_py
from migsafe.errors import UsageError
from migsafe.listing import list_versions
from migsafe.model import LoadError, Note, RecordedRevision, RevisionFile
from migsafe.project import Project, locate
from migsafe.report import Finding, PartialReview, Report
from migsafe.revisions import History, load_history
from migsafe.rules import Hit, Rule, RevisionView, all_rules, known_rule_ids, rules_by_id
from migsafe.selection import RuleSelection, enabled_rules, split_ids
from migsafe.stats.sizing import Sizing, target
from migsafe.suppression import Suppressions, parse_directives


@dataclass
class ReviewOptions:
    paths: list[Path] = field(default_factory=list)
    cwd: Path = field(default_factory=Path.cwd)
    config_file: Path | None = None
    pg_version: str | None = None
    select: list[str] | None = None  # replaces the configuration's rule selection (as ruff's --select)
    extend_select: list[str] | None = None  # adds rules
    ignore: list[str] | None = None  # adds to the configuration's ignores (--ignore, --extend-ignore)
    fail_on: str | None = None
    since: str | None = None
    transaction_per_migration: bool | None = None
    strict_imports: bool | None = None
    changed_since: str | None = None  # a git ref: report only revisions changed since its merge base with HEAD
    downgrade: bool | None = None  # also review each revision's downgrade()
    baseline: Path | None = None  # the baseline file (else [tool.migsafe] baseline, else the default if present)
    use_baseline: bool = True  # False: report every finding (`migsafe baseline`, `review --no-baseline`)
    revision_timeout: float | None = None  # seconds per revision (0: no limit)
    use_cache: bool = True  # False: record every revision, read and write no cache (--no-cache)
    cache_dir: Path | None = None  # --cache-dir (else [tool.migsafe] cache-dir, else beside the versions directory)
    stats: Path | None = None  # --stats: a `migsafe stats` snapshot (else [tool.migsafe] stats); docs/stats.md
    calibration: Path | None = None  # --calibration: a `migsafe calibrate` file (else [tool.migsafe] calibration)


def resolve_settings(options: ReviewOptions, project: Project) -> cfg.Settings:
    known = known_rule_ids()
    config_file = options.config_file or cfg.find_config(_config_start(options, project))
    settings = cfg.load_settings(config_file, known)
    overrides: dict[str, object] = {}
    if options.pg_version is not None:
        overrides["pg_version"] = cfg.PgVersion.parse(options.pg_version, "--pg-version")
    given = {key: split_ids(getattr(options, key)) for key in ("select", "extend_select", "ignore")}
    for key, ids in given.items():
        if ids is not None:
            cfg.check_rule_ids(list(ids), known, f"--{key.replace('_', '-')}")
    command_line = RuleSelection(select=given["select"], extend_select=given["extend_select"] or (),
                                 ignore=given["ignore"] or ())
    if not command_line.empty:
        overrides["rule_selection"] = settings.rule_selection + (command_line,)
    if options.fail_on is not None:
        overrides["fail_on"] = cfg.check_fail_on(options.fail_on, "--fail-on")
    if options.since is not None:
        overrides["start_after"] = options.since
    if options.transaction_per_migration is not None:
        overrides["transaction_per_migration"] = options.transaction_per_migration
        overrides["transaction_model_source"] = "command line"
    elif "transaction-per-migration" in settings.explicit or "transactional-ddl" in settings.explicit:
        overrides["transaction_model_source"] = "[tool.migsafe]"
    else:
        env = read_env_py(project.env_py)
        if env.transaction_per_migration is not None or env.transactional_ddl is not None:
            overrides["transaction_model_source"] = "env.py"
            if env.transaction_per_migration is not None:
                overrides["transaction_per_migration"] = env.transaction_per_migration
            if env.transactional_ddl is not None:
                overrides["transactional_ddl"] = env.transactional_ddl
            overrides["connection_autocommit"] = env.autocommit
    if options.strict_imports:
        overrides["strict_imports"] = True
    if options.downgrade:
        overrides["downgrade"] = True
    if options.revision_timeout is not None:
        overrides["revision_timeout"] = cfg.check_revision_timeout(options.revision_timeout, "--revision-timeout")
    if options.stats is not None:
        overrides["stats"] = options.cwd / options.stats
    if options.calibration is not None:
        overrides["calibration"] = options.cwd / options.calibration
    return settings.with_overrides(**overrides)


def load_sizing(options: ReviewOptions, settings: cfg.Settings) -> "tuple[cfg.Settings, Sizing | None]":
    """The stats snapshot the review judges sizes by (``--stats``, else ``[tool.migsafe] stats``), and the
    settings with the PostgreSQL version it implies: the command line's, then the configuration's
    ``pg-version``, then the snapshot's server version, then the default. A bad file is a one-line
    :class:`~migsafe.stats.snapshot.StatsFileError` naming it. Estimates use the throughputs of the calibration
    file (``--calibration``, else ``[tool.migsafe] calibration``) when there is one, else the built-in defaults;
    a calibration file is read (and a bad one refused) even without a snapshot, so a typo never goes unnoticed."""
    from migsafe.stats import calibration, sizing
    from migsafe.stats.estimate import DEFAULT_THROUGHPUTS
    from migsafe.stats.snapshot import load

    throughputs = DEFAULT_THROUGHPUTS
    if settings.calibration is not None:
        try:
            shown = str(settings.calibration.relative_to(options.cwd))
        except ValueError:
            shown = str(settings.calibration)
        throughputs = calibration.load(settings.calibration, shown)
    if settings.stats is None:
        return settings, None
    snapshot = load(settings.stats)
    if options.pg_version is None and "pg-version" not in settings.explicit:
        number = snapshot.server_version_num
        major = number // 10000 if number >= 100000 else number // 100
        if 9 <= major <= 30:
            settings = settings.with_overrides(pg_version=cfg.PgVersion(major, number % 100 if major >= 10 else None))
    return settings, sizing.Sizing(snapshot=snapshot, path=settings.stats, small_table_rows=settings.small_table_rows,
                                   large_table_rows=settings.large_table_rows, max_age_days=settings.stats_max_age,
                                   throughputs=throughputs, overridden=frozenset(settings.severity))


def _config_start(options: ReviewOptions, project: Project) -> Path:
    """Where the search for a configuration file starts: the reviewed directory (an alembic.ini's own), as
    ruff starts from the files it checks, so a migsafe.toml beside a versions directory is found before one
    at the repository's root; revision files and no path at all: the project's root."""
    if len(options.paths) == 1 and options.paths[0].suffix != ".py":
        given = options.cwd / options.paths[0]
        return given if given.is_dir() else given.parent
    return project.root


def active_rules(settings: cfg.Settings) -> list[Rule]:
    rules = all_rules()
    enabled = enabled_rules(frozenset(r.id for r in rules), settings.rule_selection)
    return [r for r in rules if r.id in enabled]


@dataclass
class Plan:
    """What a review (or a replay) works on: the project, its settings, the ordered history, and which
    revisions are reported (the others only give schema context)."""

    project: Project
    settings: cfg.Settings
    history: History
    reported: set[str]
    report: Report  # started with graph problems and unreadable files
    deploy: dp.DeployModel = field(default_factory=dp.DeployModel)  # which revisions one `alembic upgrade` runs
    driver: Driver = field(default_factory=Driver)  # the DBAPI driver of the project's sqlalchemy.url
    cache: Cache | None = None
    sizing: "Sizing | None" = None  # the stats snapshot and thresholds (review --stats)
    recorded: list[RecordedRevision] = field(default_factory=list)  # filled by review(): replay reads its SQL


def plan(options: ReviewOptions) -> Plan:
    project = locate(options.paths, options.cwd)
    settings, sizing = load_sizing(options, resolve_settings(options, project))
    listing = list_versions(project.versions_dirs, recursive=project.recursive)
    paths = listing.paths
    if project.only_files:
        paths += [p for p in sorted(project.only_files) if p not in paths]
    cache = None
    if options.use_cache:
        cache = Cache.open(cache_directory(options, project, settings),
                           protected=[project.root, *project.versions_dirs])
    history_cache = HistoryCache(cache) if cache is not None else None
    progress.report("reading revision files")
    history = load_history(paths, history_cache)
    if history_cache is not None:
        history_cache.save()
    reported = _reported_revisions(history, project, settings)
    added = None
    if options.changed_since is not None:
        reported, added = _changed_revisions(options.changed_since, history, project, reported)
    named = (frozenset(f.revision for f in _files_in(history.files, project.only_files) if f.revision)
             if project.only_files is not None else None)
    deploy = dp.resolve(settings.deploy, added, named)
    report = Report(
        pg_version=str(settings.pg_version),
        transaction_model=("none" if not settings.transactional_ddl
                           else "per-migration" if settings.transaction_per_migration else "single"),
        transaction_model_source=settings.transaction_model_source,
        deploy=deploy.kind,
        deploy_description=deploy.describe(),
        driver=(Driver(settings.driver, "[tool.migsafe]") if settings.driver is not None
                else read_driver(project.config_file, project.env_py)),
        fail_on=settings.fail_on,
        cwd=options.cwd,
        config_file=settings.config_file,
    )
    report.notes.extend(project.notes)
    report.errors.extend(listing.unreadable)
    for skipped in listing.skipped:
        # Named, not resolved: the entry may be a link that cannot be resolved, which reporters would follow.
        shown = os.path.join(report.display_path(skipped.path.parent), skipped.path.name)
        report.notes.append(Note(kind="skipped", message=f"{shown}: {skipped.reason}"))
    for error in history.unreadable:
        if project.only_files is None or error.path in project.only_files:
            report.errors.append(error)
    for problem in history.problems:
        if problem.kind == "graph" and "is not in this history" in problem.message:
            report.notes.append(Note(kind="graph", message=problem.message, path=problem.path, line=problem.line,
                                     revision=problem.revision))
        else:
            report.errors.append(problem)
    if not history.files and not report.errors:
        where = ", ".join(str(d) for d in project.versions_dirs)
        left_out = (f" ({len(listing.skipped)} left out; first: {report.notes[0].message})"
                    if listing.skipped else "")
        raise UsageError(f"nothing to review: no revision scripts in {where}{left_out}")
    return Plan(project=project, settings=settings, history=history, reported=reported, report=report,
                deploy=deploy, cache=cache, driver=report.driver, sizing=sizing)


def cache_directory(options: ReviewOptions, project: Project, settings: cfg.Settings) -> Path:
    """``--cache-dir``, else ``$MIGSAFE_CACHE_DIR``, else ``[tool.migsafe] cache-dir``, else ``.migsafe_cache``
    beside the (first) versions directory: next to the files it describes, whatever directory migsafe is run
    from."""
    if options.cache_dir is not None:
        return options.cwd / options.cache_dir
    if os.environ.get("MIGSAFE_CACHE_DIR"):
        return options.cwd / os.environ["MIGSAFE_CACHE_DIR"]
    if settings.cache_dir is not None:
        return settings.cache_dir
    base = project.versions_dirs[0].parent if project.versions_dirs else project.root
    return base / DIRECTORY_NAME


def review(options: ReviewOptions, work: Plan | None = None) -> Report:
    """The review of ``options``; ``work``: the plan already made for them (replay needs it too)."""
    from migsafe.cache import CacheDamaged
    from migsafe.sql.actions import default_schema_for_display

    from migsafe.recording.runner import young_collections_only

    work = work or plan(options)
    with default_schema_for_display(work.settings.default_schema), young_collections_only():
        try:
            return _review(options, work)
        except CacheDamaged as damage:
            # A cached recording became unreadable after the run chose it: forget it, and review again (it
            # and the revisions after it are recorded anew).
            damage.repair()
            again = plan(options)
            if again.cache is not None and work.cache is not None:
                again.cache.distrusted |= work.cache.distrusted  # one line on stderr per review
            return _review(options, again)


def _review(options: ReviewOptions, work: Plan) -> Report:
    project, settings, history, reported, report = (work.project, work.settings, work.history, work.reported,
                                                    work.report)
    from migsafe.recording.runner import record_history

    recorded = record_history(
        history.files,
        sys_path=project.sys_path,
        config_file=project.config_file,
        transaction_per_migration=settings.transaction_per_migration,
        transactional_ddl=settings.transactional_ddl,
        autocommit_connection=settings.connection_autocommit,
        reported=reported,
        stub_imports=not settings.strict_imports,
        default_schema=settings.default_schema,
        downgrades=settings.downgrade,
        revision_timeout=settings.revision_timeout or None,
        cache=work.cache,
        driver=work.driver,
        pg_version=(settings.pg_version.major, settings.pg_version.minor or 0),
    )
    report.revisions_loaded = len(recorded)
    work.recorded = recorded
    for revision in recorded:
        # Context revisions too: one that is not reported may still ship with a reported one.
        revision.shipping_set = work.deploy.of(revision.revision)
        if revision.downgrade is not None:
            revision.downgrade.shipping_set = revision.shipping_set
    rules = active_rules(settings)
    suppressions: dict[str, Suppressions] = {}
    for order, revision in enumerate(recorded):
        progress.report("checking revisions", order, len(recorded))
        if not revision.reported:
            continue
        report.revisions_reviewed += 1
        if revision.error is not None:
            report.errors.append(revision.error)
            continue
        report.notes.extend(revision.notes)
        if revision.partial:
            report.partial.append(PartialReview.of(revision))
            if revision.stubbed:  # a shimmed idiom's note is among the revision's own notes
                report.notes.append(_partial_note(revision))
        suppressions[revision.revision] = _check_revision(revision, order, rules, settings, recorded, report,
                                                          env_py=project_env_py(project),
                                                          unused_notes=revision.downgrade is None
                                                          or revision.downgrade.error is not None)
    progress.report("checking revisions", len(recorded), len(recorded))
    # The rollback: downgrade() of the reported revisions, newest first, after the upgrade findings.
    downgrades = [r.downgrade for r in reversed(recorded) if r.reported and r.downgrade is not None]
    for order, revision in enumerate(downgrades, start=len(recorded)):
        if revision.error is not None:
            report.errors.append(revision.error)
            continue
        report.notes.extend(revision.notes)
        _check_revision(revision, order, rules, settings, downgrades, report, env_py=project_env_py(project),
                        suppressions=suppressions.get(revision.revision))
    if work.sizing is not None:
        from migsafe.stats.sizing import apply as apply_sizes

        apply_sizes(report, work.sizing, report.display_path(work.sizing.path))
    if options.use_baseline:
        _apply_baseline(options, settings, report, recorded + downgrades, rules)
    report.sort()
    return report


def baseline_path(options: ReviewOptions, settings: cfg.Settings) -> tuple[Path, bool]:
    """The baseline file, and whether it was asked for (``--baseline``, ``[tool.migsafe] baseline``) rather
    than the default ``.migsafe-baseline.json`` beside the configuration file (or in the current directory)."""
    from migsafe.baseline import DEFAULT_NAME

    if options.baseline is not None:
        return options.cwd / options.baseline, True
    if settings.baseline is not None:
        return settings.baseline, True
    home = settings.config_file.parent if settings.config_file is not None else options.cwd
    return home / DEFAULT_NAME, False


def _apply_baseline(options: ReviewOptions, settings: cfg.Settings, report: Report,
                    recorded: list[RecordedRevision], rules: list[Rule]) -> None:
    from migsafe import baseline

    path, asked = baseline_path(options, settings)
    if not asked and not path.is_file():
        return
    entries = baseline.load(path)
    reviewed = {(r.revision, r.direction) for r in recorded if r.reported and r.error is None}
    baseline.apply(report, entries, path, reviewed, {r.id for r in rules})


def _partial_note(revision: RecordedRevision) -> Note:
    calls = ", ".join(f"{name} (line {line})" for name, line in revision.stub_calls)
    message = (f"partial review: ran with stand-ins for {', '.join(revision.stubbed)} (not importable here)"
               + (f"; calls into them are not checked: {calls}" if calls else "")
               + "; run migsafe where the application is importable for a complete review")
    return Note(kind="partial", message=message, path=revision.path, line=revision.file.line,
                revision=revision.revision)


def _reported_revisions(history: History, project: Project, settings: cfg.Settings) -> set[str]:
    ids = {f.revision for f in history.files if f.revision}
    if project.only_files is not None:
        ids = {f.revision for f in _files_in(history.files, project.only_files) if f.revision}
    if settings.start_after:
        start = settings.start_after
        if start not in {f.revision for f in history.files}:
            raise UsageError(f"start-after/--since: unknown revision {start!r}")
        excluded = history.ancestors(start) | {start}
        ids -= excluded
    return ids  # type: ignore[return-value]


def _files_in(files: list[RevisionFile], resolved: set[Path]) -> list[RevisionFile]:
    """The files whose resolved path is in ``resolved``. Revision files are listed from resolved directories,
    so a path differs from its resolved form only through a symbolic link: resolve every file (slow on a long
    history) only when some wanted path was not found as it is."""
    found = [f for f in files if f.path in resolved]
    if len(found) < len(resolved):
        found = [f for f in files if f.path in resolved or (f.path.is_symlink() and f.path.resolve() in resolved)]
    return found


def _changed_revisions(ref: str, history: History, project: Project,
                       reported: set[str]) -> tuple[set[str], frozenset[str]]:
    """``--changed-since``: the reported revisions whose files changed since the merge base of ``ref`` and
    HEAD, and the revisions whose files are new there (they ship together: their tables are still empty)."""
    from migsafe.changes import changed_since

    changes = changed_since(ref, project.versions_dirs[0] if project.versions_dirs else project.root)
    changed = {f.revision for f in _files_in(history.files, changes.changed) if f.revision}
    added = frozenset(f.revision for f in _files_in(history.files, changes.added) if f.revision)
    return reported & changed, added  # type: ignore[return-value]


def project_env_py(project: Project) -> Path | None:
    """The project's env.py: from the Alembic configuration, else next to a ``versions`` directory."""
    if project.env_py is not None:
        return project.env_py
    for versions in project.versions_dirs:
        candidate = versions.parent / "env.py"
        if versions.name == "versions" and candidate.is_file():
            return candidate
    return None


def _check_revision(revision: RecordedRevision, order: int, rules: list[Rule], settings: cfg.Settings,
                    history: list[RecordedRevision], report: Report, env_py: Path | None = None,
                    unused_notes: bool = True, suppressions: Suppressions | None = None) -> Suppressions:
    view = RevisionView(revision, settings.pg_version, history, settings=settings, env_py=env_py)
    hits: list[tuple[Rule, Hit]] = []
    seen: set[tuple[str, int]] = set()
    for rule in rules:
        for hit in rule.run(view):
            if (rule.id, hit.statement.index) in seen:
                continue
            seen.add((rule.id, hit.statement.index))
            hits.append((rule, hit))
    # A rule that explains the same object better replaces another's finding (hidden-rename over drop-column).
    superseded = {(old, hit.key) for rule, hit in hits for old in rule.supersedes if hit.key}
    directives = parse_directives("\n".join(revision.source_lines))
    if suppressions is None:
        suppressions = Suppressions(directives)
    else:
        directives = suppressions.directives
    known = set(rules_by_id())
    for directive in directives if revision.direction == "upgrade" else ():
        for rule_id in directive.ids:
            if rule_id != "*" and rule_id not in known:
                report.errors.append(LoadError(
                    message=f"unknown rule id {rule_id!r} in migsafe ignore comment (see `migsafe rules`)",
                    path=revision.path, line=directive.line, revision=revision.revision, kind="config"))
    sql_ignores_used: set[tuple[int, str]] = set()
    for rule, hit in hits:
        statement = hit.statement
        if hit.key and (rule.id, hit.key) in superseded:
            continue
        if rule.id in statement.sql_ignores or "*" in statement.sql_ignores:
            sql_ignores_used.add((statement.index, rule.id if rule.id in statement.sql_ignores else "*"))
            continue
        if suppressions.suppresses(rule.id, statement.line, statement.end_line):
            continue
        source_line = revision.source_lines[statement.line - 1].strip() \
            if 0 < statement.line <= len(revision.source_lines) else ""
        sized = target(rule.id, statement, hit.key)
        report.findings.append(Finding(
            rule=rule.id,
            severity=settings.severity.get(rule.id, hit.severity or rule.severity),
            message=hit.message,
            fix=hit.fix or rule.fix,
            path=revision.path,
            line=statement.line,
            end_line=statement.end_line,
            revision=revision.revision,
            sql=statement.sql,
            source_line=source_line,
            order=order,
            direction=revision.direction,
            table=sized.table,
            phase=sized.phase,
            facts=hit.facts,
        ))
    active = {r.id for r in rules}
    # With --downgrade, a file's ignore comments serve both passes: the downgrade pass reports the unused ones.
    for line, rule_id in suppressions.unused() if unused_notes else ():
        if rule_id == "*" or rule_id in active:
            report.notes.append(Note(kind="unused-ignore",
                                     message=f"ignore comment for {rule_id} suppresses nothing",
                                     path=revision.path, line=line, revision=revision.revision))
    for statement in revision.statements:
        for rule_id in statement.sql_ignores:
            if (statement.index, rule_id) not in sql_ignores_used and (rule_id == "*" or rule_id in active):
                if rule_id != "*" and rule_id not in known:
                    continue
                report.notes.append(Note(kind="unused-ignore",
                                         message=f"SQL ignore comment for {rule_id} suppresses nothing",
                                         path=revision.path, line=statement.line, revision=revision.revision))
        for rule_id in statement.sql_ignores:
            if rule_id != "*" and rule_id not in known:
                report.errors.append(LoadError(
                    message=f"unknown rule id {rule_id!r} in SQL ignore comment (see `migsafe rules`)",
                    path=revision.path, line=statement.line, revision=revision.revision, kind="config"))
    return suppressions
