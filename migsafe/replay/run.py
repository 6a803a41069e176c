"""``migsafe replay``: run the reviewed revisions on a throwaway PostgreSQL and observe what they do.

The revisions before the first reviewed one are applied plainly (no tracing). Before each reviewed revision
the existing tables are filled with rows, so "existing table" means what it means in the static review,
and then the revision runs as Alembic's online mode runs it: the same transaction model the static review
assumed, ``autocommit_block()`` honoured, the project's env.py and database URL never used.

Revision code (the static review's run included) never sees ``--database-url``: it is taken out of the
environment first, and the revisions, the seeding and the tracing use only a throwaway role's connection
(:func:`migsafe.replay.server.throwaway_role`).
"""

from __future__ import annotations

import contextlib
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

from migsafe import progress
from migsafe.config import PgVersion
from migsafe.engine import ReviewOptions, plan, review
from migsafe.model import RecordedRevision
from migsafe.replay.contention import ContentionOptions, Measurer
from migsafe.replay.model import ReplayedRevision
from migsafe.replay.reconcile import configured, contention_evidence, reconcile
from migsafe.report import Report

DEFAULT_ROWS = 5000
DATABASE_URL_VARIABLE = "MIGSAFE_DATABASE_URL"


@dataclass
class ReplayOptions(ReviewOptions):
    database_url: str | None = None
    pg_bin: Path | None = None
    rows: int = DEFAULT_ROWS
    contention: ContentionOptions | None = None  # replay --contention; its lock_timeout is resolved here


@dataclass
class ReplayReport:
    """A review report (findings with their replay status, plus replay's own findings) and the statements."""

    report: Report
    revisions: list[ReplayedRevision] = field(default_factory=list)
    server: str = ""
    server_version: str = ""
    seconds: float = 0.0
    contention: ContentionOptions | None = None  # with --contention: how it was measured
    unmeasured: list[str] = field(default_factory=list)  # with --contention: statements not measured, and why

    def exit_code(self) -> int:
        return self.report.exit_code()


def replay(options: ReplayOptions) -> ReplayReport:
    """Review, then replay on a scratch database. How far it is goes to :mod:`migsafe.progress`: the review's
    recording, the server's start, then one step per revision run."""
    from migsafe.replay.server import scratch_database

    _require_sqlalchemy_2()
    started = time.perf_counter()
    database_url = _take_credentials(options.database_url)
    work = plan(options)  # validates the project and settings before a server is started
    static = review(options, work)
    files = work.history.files
    reported = work.reported
    positions = [i for i, f in enumerate(files) if f.revision in reported]
    result = ReplayReport(report=static, contention=_contention_options(options.contention, work))
    if not positions:
        return result
    to_run = files[: positions[-1] + 1]
    order = {f.revision: i for i, f in enumerate(files) if f.revision}
    judged = work.settings.pg_version
    pg_major = _server_major(options, judged)
    progress.report("starting PostgreSQL")
    extensions = _extensions(work.recorded, {f.revision for f in to_run})
    with scratch_database(database_url=database_url, pg_bin=options.pg_bin, pg_version=pg_major,
                          extensions=extensions) as db:
        result.server = db.source
        result.server_version = db.server_version
        server = PgVersion(db.server_version_num // 10000, db.server_version_num % 10000)
        stubs = {r.revision: r.stubbed for r in static.partial}
        result.revisions = _run(db, to_run, reported, work, options.rows, stubs, result)
    if work.sizing is not None:
        _extrapolate(result.revisions, work.sizing.snapshot)
    found = configured(reconcile(static, result.revisions, server, judged, order), work.settings)
    static.findings.extend(found)
    if result.contention is not None:
        contention_evidence(static.findings, result.revisions)
    static.sort()
    result.seconds = time.perf_counter() - started
    return result


def _extrapolate(revisions: list[ReplayedRevision], snapshot: object) -> None:
    """``--stats``: each statement's duration scaled to its table's production size."""
    from migsafe.replay.extrapolate import extrapolate

    for revision in revisions:
        for statement in revision.statements:
            statement.extrapolation = extrapolate(statement, revision.table_rows, snapshot)  # type: ignore[arg-type]


def _require_sqlalchemy_2() -> None:
    """Replay connects through SQLAlchemy's psycopg 3 dialect (``postgresql+psycopg``), which SQLAlchemy 1.4 does
    not have: say so in one line before anything starts, instead of a NoSuchModuleError half-way."""
    import sqlalchemy

    if int(sqlalchemy.__version__.split(".")[0]) < 2:
        from migsafe.errors import UsageError

        raise UsageError(f"migsafe replay needs SQLAlchemy 2.0 or later (it connects with psycopg 3, which SQLAlchemy "
                         f"{sqlalchemy.__version__} has no dialect for); `migsafe review` works with this SQLAlchemy: "
                         "run replay from an environment with SQLAlchemy 2")


def _contention_options(options: ContentionOptions | None, work: object) -> ContentionOptions | None:
    """``--contention``'s options with the lock_timeout of its second run: the project's, else the suggested one."""
    if options is None:
        return None
    from dataclasses import replace

    from migsafe.engine import project_env_py
    from migsafe.replay.contention import lock_timeout_for
    from migsafe.rules.missing_lock_timeout import env_sets_lock_timeout

    env_py = project_env_py(work.project)  # type: ignore[attr-defined]
    value, source = lock_timeout_for(work.settings.lock_timeout,  # type: ignore[attr-defined]
                                     env_py is not None and env_sets_lock_timeout(env_py))
    return replace(options, lock_timeout=value, lock_timeout_source=source)


def _measurer(db: object, engine: object, options: ContentionOptions | None) -> Measurer | None:
    """``--contention``: the scenes connect to the scratch database as the throwaway role, as the revisions do;
    the commits and rollbacks of the migration's connection end the holds of the statements measured."""
    if options is None:
        return None
    from sqlalchemy import event

    measurer = Measurer(lambda: db.connect(autocommit=True), options)  # type: ignore[attr-defined]
    event.listen(engine, "commit", lambda conn: measurer.transaction_ended())
    event.listen(engine, "rollback", lambda conn: measurer.transaction_ended())
    return measurer


def _run(db: object, files: list, reported: set[str], work: object, rows: int,
         stubs: dict[str, tuple[str, ...]], result: ReplayReport) -> list[ReplayedRevision]:
    import sqlalchemy as sa
    from alembic.runtime.migration import MigrationContext
    from sqlalchemy.pool import NullPool

    from migsafe.recording.operations import RecordingOperations
    from migsafe.recording.runner import alembic_environment, isolated, run_upgrade
    from migsafe.recording.stubs import StubFinder
    from migsafe.replay.overrun import Backends, end_overrun, mark_overrun, timed_out
    from migsafe.replay.tracer import Tracer, server_message

    settings = work.settings  # type: ignore[attr-defined]
    project = work.project  # type: ignore[attr-defined]
    sizing = work.sizing  # type: ignore[attr-defined]
    targets = None
    if sizing is not None:
        from migsafe.replay.extrapolate import seeding_targets

        targets = seeding_targets(sizing.snapshot, rows)
    counts: dict[str, int] = {}  # table -> rows it holds, as the last seeding left it
    per_migration = settings.transaction_per_migration
    limit = settings.revision_timeout or None
    engine = sa.create_engine(db.url, poolclass=NullPool)  # type: ignore[attr-defined]
    backends = Backends(engine)  # first: its listener runs before the tracer's queries, which a timeout may cut
    tracer = Tracer(engine)
    tracer.contention = measurer = _measurer(db, engine, result.contention)
    replayed: list[ReplayedRevision] = []
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(
                connection=connection,
                opts={"transaction_per_migration": per_migration, "transactional_ddl": True},
            )
            tracer.context = context
            context._revision_timeout = limit  # type: ignore[attr-defined]  # run_upgrade's time_limit, as in review
            operations = RecordingOperations(context, tracer)
            environment = alembic_environment(project.config_file, context, as_sql=False)
            seeded_once = False
            stale = True
            with isolated(project.sys_path, operations, environment):
                outer = contextlib.nullcontext() if per_migration else context.begin_transaction()
                with outer:  # type: ignore[attr-defined]
                    for done, file in enumerate(files):
                        reviewed = file.revision in reported
                        entry = ReplayedRevision(revision=file.revision or file.path.stem, path=file.path,
                                                 reviewed=reviewed)
                        if reviewed and (per_migration or not seeded_once) and (not seeded_once or stale):
                            # With one transaction for the whole upgrade the tables can be seeded only once,
                            # before it starts: a second connection would wait on the migration's locks.
                            # Otherwise seed again only when the previous revision may have left a table
                            # without rows (it created one, emptied one, or ran unobserved).
                            progress.report("seeding tables", done, len(files), entry.revision)
                            _seed(db, rows, entry, targets, counts)
                            seeded_once = True
                        entry.table_rows = dict(counts)
                        progress.report("replaying revisions" if reviewed else "applying revisions", done,
                                        len(files), entry.revision)
                        rec = RecordedRevision(file=file, reported=reviewed)
                        tracer.tracing = reviewed
                        if reviewed:
                            tracer.begin_revision(_dbapi(connection))
                        began = time.perf_counter()
                        # The static review found these modules missing: the same stand-ins, installed upfront
                        # (a retry is not possible once statements have run on the server).
                        finder = StubFinder(stubs[entry.revision]) if stubs.get(entry.revision) else None
                        if finder is not None:
                            finder.install()
                        backends.clear()
                        try:
                            failure = run_upgrade(rec, context, tracer, per_migration)
                        finally:
                            if finder is not None:
                                finder.uninstall()
                        overran = limit is not None and timed_out(failure)
                        if overran:
                            end_overrun(db, connection, backends)
                        entry.duration_ms = round((time.perf_counter() - began) * 1000, 3)
                        tracer.tracing = False
                        entry.statements = list(tracer.statements) if reviewed else []
                        tracer.statements = []
                        if overran:
                            mark_overrun(entry, rec.error.line if rec.error else None, limit)  # type: ignore[arg-type]
                        elif rec.error is not None:
                            failed = [s for s in entry.statements if s.error]
                            entry.error = failed[0].error if failed else rec.error.message
                            entry.error_line = failed[0].line if failed else rec.error.line
                        if rec.error is not None and connection.in_transaction() and per_migration:
                            connection.rollback()
                        replayed.append(entry)
                        if overran and not per_migration:
                            # The upgrade's one transaction died with the revision's session: nothing after it
                            # would run in it, as the deploy would stop here too.
                            break
                        stale = not reviewed or bool(entry.error) or not entry.statements or any(
                            s.created or s.sql.lstrip().upper().startswith(("DELETE", "TRUNCATE"))
                            for s in entry.statements)
    except Exception as exc:  # the server went away, or Alembic could not run at all
        from migsafe.errors import MigsafeError

        raise MigsafeError(f"replay failed: {server_message(exc)}") from None
    finally:
        if measurer is not None:
            measurer.close()
            result.unmeasured = measurer.unmeasured
        engine.dispose()
    return replayed


def _take_credentials(database_url: str | None) -> str | None:
    """Take the admin's credentials out of the environment before any revision code runs (the static review's
    included): ``MIGSAFE_DATABASE_URL`` (the CLI has read it) and, with a URL, ``PGPASSWORD``, which libpq would
    otherwise give any connection a revision opens; it moves into the URL instead."""
    os.environ.pop(DATABASE_URL_VARIABLE, None)
    if database_url is None:
        return None
    password = os.environ.pop("PGPASSWORD", None)
    if password is None:
        return database_url
    from migsafe.replay.server import with_password

    return with_password(database_url, password)


def _server_major(options: ReplayOptions, judged: PgVersion) -> int | None:
    """Prefer a server of the judged major; insist on it only when --pg-version was given for this run."""
    from migsafe.replay.server import ServerUnavailableError, find_server_binaries

    if options.pg_version is not None:
        return judged.major
    if options.database_url is not None:
        return None
    try:
        find_server_binaries(options.pg_bin, judged.major)
    except ServerUnavailableError:
        return None  # another major will do: version-dependent findings are then "not observable"
    return judged.major


def _extensions(recorded: list[RecordedRevision], revisions: set[str | None]) -> dict[str, str]:
    """``CREATE EXTENSION IF NOT EXISTS`` statements the static review saw in the revisions to run, by name.

    The replay role may create only trusted extensions; the server module creates the others beforehand with
    the admin's rights. Only the IF NOT EXISTS form is taken: a plain CREATE EXTENSION would then fail with
    "already exists", where now it fails as it would for an application role. The statement is deparsed from
    the parse tree, so nothing but that one CREATE EXTENSION can run with the admin's rights.
    """
    from pglast import ast
    from pglast.stream import RawStream

    found: dict[str, str] = {}
    for revision in recorded:
        if revision.file.revision not in revisions:
            continue
        for statement in revision.statements:
            node = getattr(statement.node, "stmt", statement.node)
            if isinstance(node, ast.CreateExtensionStmt) and node.if_not_exists:
                found.setdefault(node.extname, RawStream()(node))
    return found


def _dbapi(connection: object) -> object:
    return connection.connection.dbapi_connection  # type: ignore[attr-defined]


def _seed(db: object, rows: int, entry: ReplayedRevision, targets: dict[tuple[str, str], int] | None,
          counts: dict[str, int]) -> None:
    """Seed every table (to ``targets``' rows where given, else ``rows``); note the counts in ``counts``."""
    import psycopg

    from migsafe.replay.seed import seed_tables

    with db.connect(autocommit=True) as conn:  # type: ignore[attr-defined]
        if db.kind == "local":  # type: ignore[attr-defined]
            # Our own throwaway cluster, where the role may set it (PostgreSQL 15+): the generated rows already
            # satisfy the foreign keys, so skip the per-row trigger checks. Not on a user's server.
            with contextlib.suppress(psycopg.errors.InsufficientPrivilege):
                conn.execute("SET session_replication_role = replica")
        result = seed_tables(conn, rows, targets=targets)
    for table in result.seeded:
        counts[_name(table.schema, table.name)] = table.rows
        if table.inserted:
            entry.seeded[_name(table.schema, table.name)] = table.inserted
    for table in result.unseedable:
        entry.unseeded[_name(table.schema, table.name)] = table.reason


def _name(schema: str, name: str) -> str:
    return name if schema == "public" else f"{schema}.{name}"
