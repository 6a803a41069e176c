"""Run each revision's ``upgrade()`` under Alembic's offline machinery and record it.

One :class:`~alembic.runtime.migration.MigrationContext` (postgresql dialect, ``as_sql=True``, transactional
DDL) follows the whole history, so the transaction model is Alembic's own: ``begin_transaction`` per
migration or once for the whole upgrade, and ``autocommit_block()`` as Alembic implements it. Everything a
revision could leave behind (the ``alembic.op`` and ``alembic.context`` proxies, ``sys.path`` entries, the
revision modules themselves, stdout) is restored after the run.
"""

from __future__ import annotations

import contextlib
import gc
import inspect
import os
import re
import io
import signal
import sys
import threading
import time
import traceback
import warnings
from dataclasses import replace
from pathlib import Path
from typing import Any, Callable, Iterator

from alembic.runtime.environment import EnvironmentContext
from alembic.runtime.migration import MigrationContext
from sqlalchemy import MetaData

from migsafe import progress
from migsafe.cache import Cache
from migsafe.envpy import Driver
from migsafe.errors import Terminated
from migsafe.model import LoadError, Note, RecordedRevision, RevisionFile, Statement
from migsafe.recording import idioms, watch
from migsafe.recording.engines import project_engines
from migsafe.recording.environ import MissingVariables, placeholders
from migsafe.recording.operations import RecordingOperations
from migsafe.recording.recorder import Recorder
from migsafe.recording.reflection import StandInTables
from migsafe.recording.source import LineMap
from migsafe.recording.stubs import NEVER_STUB, StubFinder, missing_module, table_name_for
from migsafe.recording.tail import Tail, wanted as tail_wanted
from migsafe.recording.tracking import OperationTracker
from migsafe.schema import Schema
from migsafe.sql import actions as A

_RECORDING = "recording revisions"  # what the progress bar says (migsafe.progress)
_DOWNGRADES = "recording downgrades"


class RecordingMigrationContext(MigrationContext):
    """``context.get_bind()`` / ``op.get_context().bind`` must give the same recording stand-in as
    ``op.get_bind()``."""

    _recorder: Recorder

    @property
    def bind(self) -> Any:  # type: ignore[override]
        return self._recorder.bind()

    @property
    def connection(self) -> Any:  # type: ignore[override]
        """Online, ``op.get_context().connection`` is the migration's connection: revisions reflect through it
        (``sa.Table(..., autoload_with=op.get_context().connection)``). Alembic's own offline code reads it only
        while the context is built, before this class is given to it."""
        return self._recorder.bind()

    @connection.setter
    def connection(self, value: Any) -> None:
        self.__dict__["connection"] = value

    def execute(self, sql: Any, execution_options: dict[str, Any] | None = None) -> None:
        """``context.execute(sql)`` in a revision renders like ``op.execute(sql)`` and is recorded as one: without
        an operation, the recorder would take its COMMIT for Alembic's own transaction handling."""
        with self._recorder.operation("execute", None):
            super().execute(sql, execution_options)

    @contextlib.contextmanager
    def autocommit_block(self) -> Iterator[None]:
        """Alembic's block, telling the recorder that the connection autocommits inside it."""
        outer = self._recorder.autocommit
        self._recorder.autocommit = True
        try:
            with super().autocommit_block():
                try:
                    yield
                finally:
                    # Before Alembic's BEGIN at the block's end: the level it restores is never AUTOCOMMIT.
                    self._recorder.end_autocommit_block()
        finally:
            self._recorder.autocommit = outer


def record_history(
    files: list[RevisionFile],
    *,
    sys_path: list[Path],
    config_file: Path | None,
    transaction_per_migration: bool = True,
    transactional_ddl: bool = True,
    autocommit_connection: bool = False,
    reported: set[str] | None = None,
    want_downgrade_evidence: bool = True,
    stub_imports: bool = True,
    default_schema: str = "public",
    downgrades: bool = False,
    revision_timeout: float | None = None,
    cache: Cache | None = None,
    driver: Driver | None = None,
    pg_version: tuple[int, ...] = (15, 0),
) -> list[RecordedRevision]:
    """Record every revision in order. ``reported``: revision ids whose findings matter (None: all).
    ``downgrades``: then record each reported revision's ``downgrade()`` too, newest first, against the schema
    after the upgrades (a rollback runs from head downward), into ``rec.downgrade``. ``cache``: take unchanged
    revisions from it and store the ones recorded (see :mod:`migsafe.recording.reuse`); the downgrade pass is
    always recorded. ``driver``: the project's DBAPI driver, which decides what follows a bare COMMIT.
    ``pg_version``: the server version the recording connection reports (online branches compare it)."""
    known = {f.revision for f in files}
    schema = Schema(complete=all(p in known for f in files for p in f.down_revisions + f.depends_on))
    reuse = None
    if cache is not None:
        from migsafe.cache import Fingerprints, digest
        from migsafe.recording.reuse import CachedRecording

        configuration = Fingerprints().of(str(config_file)) if config_file is not None else None
        reuse = CachedRecording(cache, digest(
            "record", transaction_per_migration, transactional_ddl, autocommit_connection, stub_imports, default_schema,
            want_downgrade_evidence, [str(p) for p in sys_path], str(config_file), configuration, schema.complete,
            (driver or Driver()).name, list(pg_version)),
            files)
    recorder = Recorder(schema, default_schema=default_schema, driver=driver)
    recorder.server_version = pg_version
    if autocommit_connection:
        # env.py's connection is in AUTOCOMMIT: what revisions run through it commits statement by statement.
        recorder.driver_state = replace(recorder.driver_state, autocommit=True)
    stand_in_tables = StandInTables()
    recorder.unknown_table = stand_in_tables
    buffer = io.StringIO()
    context = MigrationContext.configure(
        dialect_name="postgresql",
        opts={
            "as_sql": True,
            "output_buffer": buffer,
            "transactional_ddl": transactional_ddl,
            "transaction_per_migration": transaction_per_migration,
            # env.py passes the application's MetaData here; some revisions read it back
            # (``context.get_context().opts['target_metadata'].naming_convention``). The models are not
            # imported here: an empty MetaData answers with SQLAlchemy's default naming convention.
            "target_metadata": MetaData(),
        },
    )
    # configure() builds a MigrationContext whatever class it is called on: give it the recording behaviour.
    context.__class__ = RecordingMigrationContext
    context._recorder = recorder
    context._revision_timeout = revision_timeout  # type: ignore[attr-defined]
    context.impl.static_output = recorder.on_output  # type: ignore[method-assign]
    operations = RecordingOperations(context, recorder)
    environment = alembic_environment(config_file, context)
    results: list[RecordedRevision] = []
    learned: list[str] = []  # modules found missing so far: later revisions usually import the same ones
    missing = MissingVariables()
    project_url = lambda: environment.config.get_main_option("sqlalchemy.url")  # noqa: E731
    with isolated(sys_path, operations, environment), _stdout_descriptor_silenced(), young_collections_only(), \
            placeholders(missing, {str(f.path) for f in files}), project_engines(project_url, recorder.bind), \
            idioms.installed():
        outer = contextlib.nullcontext() if transaction_per_migration else context.begin_transaction()
        with outer:  # type: ignore[attr-defined]
            if reuse is not None:
                results.extend(reuse.resume(files, reported, recorder, learned))
                for resumed in results:
                    stand_in_tables.saw(resumed)
            progress.report(_RECORDING, len(results), len(files))

            def record(index: int) -> tuple[RecordedRevision, BaseException | None]:
                if index % _COLLECT_EVERY == _COLLECT_EVERY - 1:
                    gc.collect(1)
                file = files[index]
                rec = RecordedRevision(file=file, reported=reported is None or file.revision in reported)
                missing.take()
                stand_in_tables.current = rec
                if transactional_ddl and not transaction_per_migration:
                    recorder.start_upgrade()
                try:
                    failure = _record_online_else_offline(
                        rec, environment, recorder,
                        lambda: _record_answering_rows(rec, context, recorder, transaction_per_migration,
                                                       stub_imports, sys_path, learned))
                finally:
                    stand_in_tables.current = None
                _note_missing_variables(rec, missing.take())
                if rec.error is not None:
                    recorder.recover_bind()
                if rec.error is not None and transaction_per_migration:
                    recorder.end_transaction()
                return rec, failure

            def add_downgrade_evidence(rec: RecordedRevision) -> None:
                if want_downgrade_evidence and rec.reported and rec.error is None and _needs_downgrade(rec):
                    rec.downgrade_actions = _downgrade_actions(rec, context, recorder, sys_path)
                    _adopt_reverted_types(rec)

            # A long history's tail is recorded by a second process (see recording.tail), from where recording
            # starts for real: after the revisions taken from the cache.
            tail: Tail | None = None
            forked = False
            before_last = state_before_last = None
            try:
                for index in range(len(results), len(files)):
                    file = files[index]
                    if reuse is not None:
                        if index == len(files) - 1:
                            before_last, state_before_last = recorder.checkpoint(), reuse.state(recorder, learned)
                        cached = reuse.lookup(index, file, reported is None or file.revision in reported, recorder,
                                              learned)
                        if cached is not None:
                            stand_in_tables.saw(cached)
                            results.append(cached)
                            progress.report(_RECORDING, len(results), len(files))
                            continue
                        before = recorder.checkpoint()
                    if not forked and (reuse is None or not reuse.reusing) and tail_wanted(len(files) - index):
                        forked = True
                        if cache is not None:
                            cache.flush()  # no writer thread in the child
                        tail = Tail.start(index, len(files), recorder, learned, lambda i: record(i)[0])
                    merged = tail.merge(tail.take(index), recorder, learned, file) \
                        if tail is not None and index >= tail.first else None
                    if merged is not None and merged.revision is not None:
                        rec, failure = merged.revision, None
                        if reuse is not None:
                            reuse.adopt(merged.imported)
                    else:
                        rec, failure = record(index)
                    add_downgrade_evidence(rec)
                    if reuse is not None:
                        reuse.store(index, rec, before, recorder, learned, failure)
                    stand_in_tables.saw(rec)
                    results.append(rec)
                    progress.report(_RECORDING, len(results), len(files))
            finally:
                if tail is not None:
                    tail.close()
            if reuse is not None:
                reuse.finish(recorder, learned, before_last, state_before_last)
        if downgrades:
            _record_downgrades(results, context, recorder, transaction_per_migration, default_schema)
    return results


def _record_downgrades(results: list[RecordedRevision], context: MigrationContext, recorder: Recorder,
                       per_migration: bool, default_schema: str) -> None:
    """The rollback pass: a new session (search_path back to the default) in which every table the upgrades
    left holds rows, running ``downgrade()`` of the reported revisions from the newest down."""
    from dataclasses import replace

    from migsafe.recording.recorder import DriverState

    recorder.end_transaction()
    recorder.driver_state = DriverState()
    recorder.default_schema = default_schema
    recorder.schema.tables = {name: replace(table, holds_data=True) for name, table in recorder.schema.tables.items()}
    outer = contextlib.nullcontext() if per_migration else context.begin_transaction()
    to_run = [rec for rec in reversed(results) if rec.reported and rec.error is None]
    with outer:  # type: ignore[attr-defined]
        for done, rec in enumerate(to_run):
            progress.report(_DOWNGRADES, done, len(to_run))
            down = RecordedRevision(file=rec.file, reported=True, shipping_set=rec.shipping_set,
                                    direction="downgrade")
            finder = StubFinder(list(rec.stubbed), recorder.stub_called) if rec.stubbed else None
            if finder is not None:
                finder.install()
            try:
                run_upgrade(down, context, recorder, per_migration, function="downgrade")
            finally:
                if finder is not None:
                    finder.uninstall()
            if down.error is not None:
                down.error.direction = "downgrade"
                if per_migration:
                    recorder.end_transaction()
            rec.downgrade = down
        progress.report(_DOWNGRADES, len(to_run), len(to_run))


def _record_online_else_offline(rec: RecordedRevision, environment: EnvironmentContext, recorder: Recorder,
                                attempt: Callable[[], BaseException | None]) -> BaseException | None:
    """Record the revision as an online upgrade runs it; when it asked ``is_offline_mode()`` and then failed
    (its online branch needs what the recording connection lacks: ``mogrify``, ``copy_expert``, server-side
    cursors...), record it again answering offline, as it was reviewed before, and say so. A revision that
    fails both ways is recorded online once more and keeps that failure."""
    answer = environment.is_offline_mode
    if not isinstance(answer, OfflineAnswer):
        return attempt()
    checkpoint = recorder.checkpoint()
    answer.asked = False
    failure = attempt()
    if rec.error is None or not answer.asked:
        return failure
    online = rec.error
    recorder.recover_bind()
    _start_over(rec, recorder, checkpoint)
    answer.offline = True
    try:
        failure = attempt()
    finally:
        answer.offline = False
    if rec.error is not None:
        # Failing both ways: the online failure is the one to act on (offline, such revisions mostly refuse
        # to run at all).
        recorder.recover_bind()
        _start_over(rec, recorder, checkpoint)
        answer.asked = False
        return attempt()
    rec.notes.append(Note(kind="partial-offline",
                          message=f"partial review: the online branch (context.is_offline_mode() is False) failed "
                                  f"on migsafe's recording connection at line {online.line} ({online.message}); "
                                  "recorded as under `alembic upgrade --sql` instead, so what only runs online "
                                  "was not checked",
                          path=rec.path, line=online.line, revision=rec.revision))
    return failure


def _note_missing_variables(rec: RecordedRevision, names: list[str]) -> None:
    """A revision that ran with placeholders for environment variables (migsafe.recording.environ) is a partial
    review: what it did with their values may differ where they are set."""
    if names and rec.error is None:
        rec.notes.append(Note(kind="partial-environment",
                              message="partial review: environment variable(s) not set here, read with a "
                                      f"placeholder value: {', '.join(names)}; set them to review with the real "
                                      "values",
                              path=rec.path, line=rec.file.line, revision=rec.revision))


_COLLECT_EVERY = 100  # revisions between collections of the young generations while recording


@contextlib.contextmanager
def young_collections_only() -> Iterator[None]:
    """Recording builds a large, long-lived object graph (statements, parse trees, schema snapshots) while
    revisions leave short-lived cycles behind (SQLAlchemy tables and metadata). Python's automatic collector
    keeps rescanning the whole graph as it grows: a third of the recording time on 2,000 revisions. Instead,
    the young generations are collected every few revisions (see the loop), which frees those cycles, and the
    graph is never rescanned. The review holds it over the rules too (they read the same graph)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@contextlib.contextmanager
def _stdout_descriptor_silenced() -> Iterator[None]:
    """Revisions that write to ``sys.__stdout__`` or file descriptor 1 directly (print() is already
    redirected) must not corrupt the report on stdout: point descriptor 1 at /dev/null while they run."""
    try:
        sys.stdout.flush()
        if sys.__stdout__ is not None:
            sys.__stdout__.flush()
        saved = os.dup(1)
    except (OSError, ValueError, AttributeError):
        yield  # no real descriptor 1 (an embedding host): nothing to protect
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 1)
        yield
    finally:
        try:
            if sys.__stdout__ is not None:
                sys.__stdout__.flush()
        except (OSError, ValueError):
            pass
        os.dup2(saved, 1)
        os.close(saved)
        os.close(devnull)


class OfflineAnswer:
    """``context.is_offline_mode()`` while recording: it answers as under an online ``alembic upgrade`` (False):
    migsafe records what an online upgrade executes, through its recording connection, and revisions that
    refuse offline mode or skip their data migration there must show what they really run. Only the answer
    changes: the migration context stays in ``as_sql`` mode, which ``autocommit_block()`` and Alembic's
    operations rely on. ``offline`` switches the answer back for the retry of a revision whose online branch
    fails on the recording connection; ``asked`` says whether a revision asked. (An instance attribute of the
    EnvironmentContext: Alembic's module proxy is keyed by the class, so no subclass.)"""

    def __init__(self) -> None:
        self.offline = False
        self.asked = False

    def __call__(self) -> bool:
        self.asked = True
        return self.offline


def alembic_environment(config_file: Path | None, context: MigrationContext,
                        as_sql: bool = True) -> EnvironmentContext:
    """The ``alembic.context`` revisions see; ``op.get_context().config`` is its Config, as under Alembic.
    ``as_sql``: recording (is_offline_mode() answers as online, see OfflineAnswer) rather than
    replay against a real server."""
    from alembic.config import Config

    if config_file is not None and config_file.suffix == ".ini":
        config = Config(file_=str(config_file))
    elif config_file is not None:
        config = Config(toml_file=str(config_file))
    else:
        config = Config()
    environment = EnvironmentContext(config, None, as_sql=as_sql)
    if as_sql:
        environment.is_offline_mode = OfflineAnswer()  # type: ignore[method-assign]
    environment._migration_context = context  # type: ignore[attr-defined]
    context.environment_context = environment
    return environment


@contextlib.contextmanager
def isolated(sys_path: list[Path], operations: RecordingOperations,
              environment: EnvironmentContext) -> Iterator[None]:
    saved_path = list(sys.path)
    saved_modules = set(sys.modules)
    sys.path[:0] = [str(p) for p in sys_path if str(p) not in sys.path]
    operations._install_proxy()
    environment._install_proxy()
    # `op.<plugin operation>` on the alembic.op module: route unknown names to our Operations object.
    import alembic.op as op_module

    op_module.__getattr__ = lambda name: getattr(operations, name)  # type: ignore[attr-defined]
    # os._exit() would end migsafe on the spot, without a report: while revisions run it raises instead, and
    # the revision becomes a load-error like one that calls sys.exit().
    real_exit = os._exit
    os._exit = _exit_from_revision  # type: ignore[assignment]
    try:
        yield
    finally:
        os._exit = real_exit
        del op_module.__getattr__  # type: ignore[attr-defined]
        operations._remove_proxy()
        environment._remove_proxy()
        sys.path[:] = saved_path
        # Revision modules, and the project's own modules imported for them, go: the next review (of another
        # project, in the same process) must import its own.
        _forget_project_modules(saved_modules, sys_path)


def _load_module(file: RevisionFile) -> Any:
    from alembic.util.pyfiles import load_module_py

    return load_module_py(f"_migsafe_rev_{abs(hash(str(file.path)))}", file.path)


MAX_STUBBED_MODULES = 120  # an application's whole dependency tree may be missing (one retry per module), and
# some of its own modules may be stood in for (those whose import breaks on a stand-in)


def _record_with_stubs(rec: RecordedRevision, context: MigrationContext, recorder: Recorder, per_migration: bool,
                       allow_stubs: bool, sys_path: list[Path],
                       learned: list[str] | None = None) -> BaseException | None:
    """Record the revision; when it fails on a module (or name) that cannot be imported, retry with that
    module replaced by a stand-in, until it runs or fails for another reason. Returns the last failure."""
    stubbed: list[str] = []
    imported: set[str] = set()
    checkpoint = recorder.checkpoint()
    while True:
        finder = StubFinder(stubbed, recorder.stub_called) if stubbed else None
        before = set(sys.modules)
        if finder is not None:
            finder.install()
        try:
            failure = run_upgrade(rec, context, recorder, per_migration)
        finally:
            if finder is not None:
                finder.uninstall()
                _forget_project_modules(before, sys_path)
        submodule = _unimported_submodule(failure) if failure is not None else None
        if submodule is not None and submodule not in imported:
            imported.add(submodule)
            _start_over(rec, recorder, checkpoint)
            continue
        if failure is None or not allow_stubs:
            break
        name = missing_module(failure)
        if name is None and stubbed and _caused_by_stand_in(failure, rec.path) \
                and not _failed_at_import(rec, failure):
            # The revision got as far as handing a stand-in to a library that needs the real thing (an ORM
            # query on a stubbed model): keep what was recorded up to there, as a partial review.
            _stopped_on_stand_in(rec, failure, recorder)
            break
        at_import = name is None and stubbed and _caused_by_stand_in(failure, rec.path)
        if at_import:
            # The application's own module, imported by the revision, handed a stand-in to a library that needs
            # the real thing (``db.Index(..., db.Column(...))`` with Flask-SQLAlchemy missing): stand in for
            # that module too, so that upgrade() runs.
            name = _project_module_broken_by_stand_in(rec, failure, sys_path)
        if at_import and (name is None or name in stubbed) and rec.error is not None:
            model = _stubbed_model(failure) or ""
            names = [n for n in stubbed if model == n or model.startswith(n + ".")] \
                or [n for n in stubbed if finder is None or n in finder.used] or stubbed
            rec.error.message += (f" (while importing the revision, on a stand-in for {', '.join(names)}: "
                                  "none of upgrade() ran; review where the application is importable)")
        if name is None or name in stubbed or len(stubbed) >= MAX_STUBBED_MODULES:
            break
        # Retry with this module and every module earlier revisions were missing (one retry instead of one
        # per module); only the stand-ins actually imported are reported.
        stubbed.extend(n for n in [*(learned or []), name] if n not in stubbed)
        _start_over(rec, recorder, checkpoint)
    if failure is not None and rec.error is not None and _failed_on_missing_data(rec, failure,
                                                                               recorder.catalog_reads):
        _stopped_on_missing_data(rec)
    elif failure is not None and rec.error is not None and (column := _unknown_column(failure, recorder)):
        _stopped_on_unknown_column(rec, column)
    used = finder.used if finder is not None else set()
    rec.stubbed = tuple(n for n in stubbed if n in used)
    if learned is not None:
        learned.extend(n for n in stubbed if n not in learned)
    return failure


def _record_answering_rows(rec: RecordedRevision, context: MigrationContext, recorder: Recorder,
                           per_migration: bool, allow_stubs: bool, sys_path: list[Path],
                           learned: list[str] | None = None) -> BaseException | None:
    """Record the revision with its reads answered as if rows existed (see ``Recorder.answer_rows``), so the
    back-fill and COMMIT a query-guarded loop or branch holds are reviewed. Placeholder rows can make code fail
    that works on real data (``json.loads`` of a placeholder): then the revision is recorded again as before,
    every query finding nothing, and a note says so; answering rows never costs a revision its review."""
    checkpoint = recorder.checkpoint()
    recorder.answering, recorder.answered = True, []
    try:
        failure = _record_with_stubs(rec, context, recorder, per_migration, allow_stubs, sys_path, learned)
    finally:
        recorder.answering = False
    answered, recorder.answered = recorder.answered, []
    if not answered:
        return failure
    if failure is None or isinstance(failure, Refused):
        if any(read for _, read in answered):
            _say_answered(rec, answered)  # row counts alone (plain UPDATEs) are what a real database answers
        return failure
    line, message = _where_stopped(rec, failure)
    recorder.recover_bind()
    _start_over(rec, recorder, checkpoint)
    failure = _record_with_stubs(rec, context, recorder, per_migration, allow_stubs, sys_path, learned)
    if failure is not None and _where_stopped(rec, failure) == (line, message):
        return failure  # it fails there whatever the reads answer: the answered rows are not the cause
    rec.notes[:] = [n for n in rec.notes if n.kind != "data-dependent"]
    rec.notes.append(Note(kind="data-dependent",
                          message=f"answering {_lines(answered)} as if rows existed made the revision "
                                  f"fail at line {line} ({message}); it was reviewed as if every query found no rows, "
                                  "so code that depends on the data was not exercised",
                          path=rec.path, line=answered[0][0], revision=rec.revision))
    return failure


def _lines(answered: list[tuple[int, bool]]) -> str:
    """"the reads at lines 3, 7 (and the row counts of the writes at line 5)"."""
    def at(lines: list[int]) -> str:
        return ("line " if len(lines) == 1 else "lines ") + ", ".join(str(n) for n in sorted(set(lines)))

    reads = [line for line, read in answered if read]
    writes = [line for line, read in answered if not read]
    if not reads:
        return f"the row counts of the writes at {at(writes)}"
    return f"the reads at {at(reads)}" + (f" (and the row counts of the writes at {at(writes)})" if writes else "")


def _say_answered(rec: RecordedRevision, answered: list[tuple[int, bool]]) -> None:
    """Replace the recorder's "sees no rows" note: say which reads were answered so, and what that means."""
    rec.notes[:] = [n for n in rec.notes if n.kind != "data-dependent"]
    rec.notes.append(Note(kind="data-dependent",
                          message=f"reads query results through op.get_bind(); offline there are no rows, so "
                                  f"{_lines(answered)} were answered with one row of placeholder values "
                                  "the first time each line ran and none after: code guarded by them was reviewed "
                                  "once (a loop body one pass), whatever the real data holds",
                          path=rec.path, line=answered[0][0], revision=rec.revision))


def _where_stopped(rec: RecordedRevision, failure: BaseException) -> tuple[int | None, str]:
    if rec.error is not None:
        return rec.error.line, rec.error.message
    stop = next((n for n in rec.notes if n.kind == "partial-stop"), None)
    return (stop.line if stop is not None else None), f"{type(failure).__name__}: {failure}"


def _start_over(rec: RecordedRevision, recorder: Recorder, checkpoint: tuple[Any, ...]) -> None:
    recorder.restore(checkpoint)
    rec.statements.clear()
    rec.operations.clear()
    rec.notes.clear()
    rec.stub_calls.clear()
    rec.error = None


def _unimported_submodule(failure: BaseException) -> str | None:
    """``module 'sqlalchemy' has no attribute 'orm'``: a revision using a submodule it never imported, which
    works under ``alembic upgrade`` because env.py imported the application, and the application imported the
    submodule. Import it (as that environment did) and say so; None for any other failure, or when there is
    no such submodule or it cannot be imported."""
    import importlib
    import types

    module, name = getattr(failure, "obj", None), getattr(failure, "name", None)
    if not isinstance(failure, AttributeError) or not isinstance(module, types.ModuleType) \
            or not isinstance(name, str) or not hasattr(module, "__path__"):
        return None
    submodule = f"{module.__name__}.{name}"
    try:
        importlib.import_module(submodule)
    except Exception:  # noqa: BLE001 - not there, or broken: the revision's own error stands
        return None
    return submodule


_NOT_AN_EXCEPTION = ("exceptions must derive from BaseException",
                      "catching classes that do not inherit from BaseException is not allowed")


def _caused_by_stand_in(failure: BaseException, revision_path: Path | None = None) -> bool:
    """Whether a failure involves a stand-in: its message names one, or a stand-in's own code raised it."""
    from migsafe.recording import stubs

    if any(mark in str(failure) for mark in ("migsafe stub", "migsafe stand-in", "'_StubMeta'", "'StubBase'",
                                             "_StubMeta found")):
        # Named by its repr, or by its type (``int() argument must be ..., not '_StubMeta'``; ``",".join()`` of
        # an application's constants: ``sequence item 0: expected str instance, _StubMeta found``).
        return True
    if isinstance(failure, TypeError) and str(failure) in _NOT_AN_EXCEPTION:
        # ``raise AppError(...)`` or ``except AppError:`` with the application's exception class a stand-in
        # (it is no BaseException): the revision meant to raise or catch one, mostly when reflection or a
        # query found nothing, which offline it cannot have.
        return True
    for frame, _ in traceback.walk_tb(failure.__traceback__):
        if frame.f_code.co_filename == stubs.__file__ and frame.f_code is not stubs.build_class_code:
            return True  # (every class statement passes through the stand-ins' __build_class__)
        # The revision's module body holds the stand-ins it imported: that says nothing of its failure (the
        # body of an application module that imported stand-ins most likely failed on one).
        if not (frame.f_code.co_name == "<module>" and frame.f_code.co_filename == str(revision_path)) and \
                any(isinstance(value, (stubs.StubBase, stubs._StubMeta)) for value in frame.f_locals.values()):
            return True
    return False


def _failed_at_import(rec: RecordedRevision, failure: BaseException) -> bool:
    """Whether the revision's module failed while it was imported: then none of ``upgrade()`` ran, and keeping
    "what was recorded up to there" would report a revision nobody checked as reviewed, without findings. The
    outermost frame of the revision's file is its module body then; once upgrade() runs, it is upgrade()."""
    for frame, _ in traceback.walk_tb(failure.__traceback__):
        if frame.f_code.co_filename == str(rec.path):
            return frame.f_code.co_name == "<module>"
    return False


def _project_module_broken_by_stand_in(rec: RecordedRevision, failure: BaseException,
                                       sys_path: list[Path]) -> str | None:
    """The project module (under the review's import roots, not the revision) whose import failed, innermost
    first; None when the failure happened elsewhere (the revision's own module body, a library)."""
    roots = [str(p) for p in sys_path]
    for frame, _ in reversed(list(traceback.walk_tb(failure.__traceback__))):
        filename = frame.f_code.co_filename
        if frame.f_code.co_name != "<module>" or filename == str(rec.path) \
                or not any(filename.startswith(root) for root in roots) or "site-packages" in filename:
            continue
        name = frame.f_globals.get("__name__")
        if isinstance(name, str) and name.split(".")[0] not in NEVER_STUB and not name.startswith("_migsafe_rev_"):
            return name
    return None


def _stopped_on_stand_in(rec: RecordedRevision, failure: BaseException, recorder: Recorder) -> None:
    error = rec.error
    rec.error = None
    line = error.line if error is not None else rec.file.line
    message = error.message if error is not None else type(failure).__name__
    source = rec.source_lines[line - 1] if line and 0 < line <= len(rec.source_lines) else ""
    table = _queried_table(rec, failure) if any(call in source for call in _READ_CALLS) else None
    if table is not None:
        # An ORM read next to a stand-in: record it as the read of the queried model's table it would have been,
        # so the loop that writes the rows back is still seen as a back-fill.
        recorder.stubbed_read(rec, line, table)
    rec.stub_calls.append((f"(stopped here: {message})", line or 1))
    rec.notes.append(Note(kind="partial-stop",
                          message=f"recording stopped at line {line}, where the revision used a stand-in as the "
                                  f"real thing ({message}); the rest of upgrade() was not checked",
                          path=rec.path, line=line, revision=rec.revision))


# Failures that say the revision's code or environment is broken, not that a query found nothing.
_CODE_ERRORS = (ImportError, NameError, SyntaxError, NotImplementedError, RecursionError, MemoryError)


def _failed_on_missing_data(rec: RecordedRevision, failure: BaseException, catalog_reads: list[int]) -> bool:
    """Whether the revision most likely failed on query results that an offline review cannot have: it had
    read rows through ``op.get_bind()`` (empty here), or asked the system catalogs (answered with no rows:
    ``SELECT indisvalid FROM pg_index ...`` after building an index), before failing, with an exception code
    makes of a missing row (``fetchone()[0]`` on None, ``"%d" % None``) or raises itself when a query found
    nothing (``raise RuntimeError("default group not found")``, ``.one()``'s NoResultFound): any ordinary
    exception."""
    if not isinstance(failure, Exception) or isinstance(failure, _CODE_ERRORS) or rec.error is None:
        return False
    line = rec.error.line or 0
    return any(note.kind == "data-dependent" and (note.line or 0) <= line for note in rec.notes) \
        or any(read <= line for read in catalog_reads)


def _unknown_column(failure: BaseException, recorder: Recorder) -> str | None:
    """The column a revision asked of a reflected table that the schema model does not have (``table.c.name``,
    ``table.c["name"]``), when the model cannot be trusted to know every column: application code ran as
    stand-ins earlier in the history (it may have made the column), or the history starts after the table
    was made. On a real database the column is there; None for any other failure."""
    # ``table.c`` is a ReadOnlyColumnCollection in 2.x and an ImmutableColumnCollection in 1.4: both subclass
    # ColumnCollection, the one name that exists in every supported SQLAlchemy.
    from sqlalchemy.sql.base import ColumnCollection as collections
    if isinstance(failure, AttributeError) and isinstance(getattr(failure, "obj", None), collections):
        name = failure.name
    elif isinstance(failure, KeyError) and any(
            frame.f_code.co_name == "__getitem__" and isinstance(frame.f_locals.get("self"), collections)
            for frame, _ in traceback.walk_tb(failure.__traceback__)):
        name = failure.args[0] if failure.args else None
    elif type(failure).__name__ == "CompileError" and str(failure).startswith("Unconsumed column names: "):
        name = str(failure).removeprefix("Unconsumed column names: ")  # ``update().values(name=...)``
    else:
        return None
    stand_ins = getattr(recorder.unknown_table, "creator", None) is not None
    if not isinstance(name, str) or not (stand_ins or not recorder.schema.complete):
        return None
    return name


def _stopped_on_unknown_column(rec: RecordedRevision, name: str) -> None:
    error = rec.error
    assert error is not None
    rec.error = None
    rec.notes.append(Note(kind="partial-stop",
                          message=f"recording stopped at line {error.line}, where the revision used column "
                                  f"{name} of a reflected table, "
                                  "which the schema model does not have (application code that is not importable "
                                  "here, or that ran before the history starts, may have made it); the rest of "
                                  "upgrade() was not checked",
                          path=rec.path, line=error.line, revision=rec.revision))


def _stopped_on_missing_data(rec: RecordedRevision) -> None:
    """Keep what was recorded up to the failure, and say where recording stopped and why, instead of a
    load-error that drops the whole revision (on a real database the rows are there and it runs)."""
    error = rec.error
    assert error is not None
    rec.error = None
    rec.notes.append(Note(kind="partial-stop",
                          message=f"recording stopped at line {error.line}, where the revision used query results "
                                  f"(of its tables or of the system catalogs) an offline review does not have "
                                  f"({error.message}); the rest of upgrade() was not checked",
                          path=rec.path, line=error.line, revision=rec.revision))


_READ_CALLS = ("query(", "select(", "scalars(", "execute(", "scalar(")


def _queried_table(rec: RecordedRevision, failure: BaseException) -> str | None:
    """The table the failing ORM read names: the first argument of ``query(...)`` / ``select(...)`` in the
    revision's statement that failed, looked up where it ran. The revision's own declarative class gives its
    ``__tablename__`` (``session.query(Slice)`` when only the session is a stand-in); a stand-in model the usual
    table name of its class (``myapp.models.Order`` -> ``order``). None when the query names nothing this can
    read: no table is named rather than one guessed from whatever stand-in is at hand (the session)."""
    import ast

    frame = None
    for candidate, lineno in traceback.walk_tb(failure.__traceback__):
        if candidate.f_code.co_filename == str(rec.path):
            frame, line = candidate, lineno
    if frame is None:
        return None
    try:
        tree = ast.parse("\n".join(rec.source_lines))
    except (SyntaxError, ValueError):
        return None
    statements = [node for node in ast.walk(tree) if isinstance(node, ast.stmt)
                  and node.lineno <= line <= (node.end_lineno or node.lineno)
                  and not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))]
    if not statements:
        return None
    innermost = min(statements, key=lambda node: (node.end_lineno or node.lineno) - node.lineno)
    header = innermost.iter if isinstance(innermost, (ast.For, ast.AsyncFor)) else \
        innermost.test if isinstance(innermost, (ast.While, ast.If)) else innermost
    for node in ast.walk(header):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        called = node.func.attr if isinstance(node.func, ast.Attribute) else \
            node.func.id if isinstance(node.func, ast.Name) else None
        if called is None or f"{called}(" not in _READ_CALLS:
            continue
        try:
            value = _evaluate_name(node.args[0], frame)
        except Exception:  # noqa: BLE001 - not a plain name: nothing to read
            continue
        table = _model_table(value)
        if table is not None:
            return table
    return None


def _evaluate_name(node: Any, frame: Any) -> Any:
    """The value of a name or dotted name (``Slice``, ``models.Order``, ``Order.id``) in a frame; nothing else is
    evaluated."""
    import ast
    import builtins

    if isinstance(node, ast.Name):
        for scope in (frame.f_locals, frame.f_globals, vars(builtins)):
            if node.id in scope:
                return scope[node.id]
        raise NameError(node.id)
    if isinstance(node, ast.Attribute):
        return getattr(_evaluate_name(node.value, frame), node.attr)
    raise ValueError("not a name")


def _model_table(value: Any) -> str | None:
    """The table a query's first argument reads: a mapped class's ``__tablename__``/``__table__``, a column's
    class, a Table; a stand-in's class-like name (``myapp.models.Order.id`` -> ``order``)."""
    import sqlalchemy as sa

    from migsafe.recording import stubs

    if isinstance(value, (stubs.StubBase, stubs._StubMeta)):
        name = (value if isinstance(value, stubs._StubMeta) else type(value)).__stub_name__
        classes = [part for part in re.sub(r"(\(\)|\[\])", "", name).split(".") if part[:1].isupper()]
        return table_name_for(classes[-1]) if classes else None
    if isinstance(value, sa.Table):
        return value.name
    if isinstance(value, type):
        tablename = value.__dict__.get("__tablename__") or getattr(value, "__tablename__", None)
        if isinstance(tablename, str):
            return tablename
        table = getattr(value, "__table__", None)
        return table.name if isinstance(table, sa.Table) else None
    owner = getattr(value, "class_", None)  # an ORM attribute (``Order.id``)
    return _model_table(owner) if isinstance(owner, type) else None


def _stubbed_model(failure: BaseException) -> str | None:
    from migsafe.recording import stubs

    for frame, _ in reversed(list(traceback.walk_tb(failure.__traceback__))):
        for value in frame.f_locals.values():
            if isinstance(value, stubs._StubMeta):
                return value.__stub_name__
            if isinstance(value, stubs.StubBase):
                return type(value).__stub_name__
    return None


def _namespace_folder(module: Any) -> str:
    """The first folder of a namespace package, read without iterating its ``__path__`` (iterating recomputes
    it from the parent package, which raises when the parent was already forgotten)."""
    path = getattr(module, "__path__", None)
    folders = getattr(path, "_path", path)
    return str(folders[0]) if isinstance(folders, list) and folders else ""


def _forget_project_modules(before: set[str], sys_path: list[Path]) -> None:
    """Application modules imported while stand-ins were active may hold stand-ins: import them afresh next
    time. Library modules stay (re-importing them would duplicate their classes)."""
    roots = [str(p) for p in sys_path]
    for name in set(sys.modules) - before:
        module = sys.modules.get(name)
        # A namespace package (a folder without __init__.py) has no __file__, only its __path__: forgetting its
        # parent but keeping it made the next import of anything under it fail in importlib (KeyError).
        filename = getattr(module, "__file__", None) or _namespace_folder(module)
        if name.startswith("_migsafe_rev_") or any(filename.startswith(root) for root in roots):
            sys.modules.pop(name, None)


def run_upgrade(rec: RecordedRevision, context: MigrationContext, tracker: OperationTracker,
                per_migration: bool, function: str = "upgrade") -> BaseException | None:
    """Import the revision and run its ``upgrade()`` in Alembic's transaction handling; failures go to
    ``rec.error`` (and the exception is returned). Shared by offline recording and replay. ``function``:
    "downgrade" runs ``downgrade()`` the same way (a revision without one has nothing to record)."""
    path = rec.path
    try:
        rec.source_lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        rec.source_lines = []
    # Lines matter only where findings are reported; a revision loaded for schema context skips them. The
    # statement spans come from the parse that read the revision's header, when it is the same file.
    if not rec.reported:
        linemap = LineMap()
    elif rec.file.spans is not None:
        linemap = LineMap(spans=rec.file.spans)
    else:
        linemap = LineMap("\n".join(rec.source_lines))
    limit = getattr(context, "_revision_timeout", None)
    refusal = watch.refused(path, function)
    if refusal is not None:
        # It hung or ended the worker process last time (migsafe.worker): it is not run again.
        rec.error = LoadError(message=refusal, path=path, line=_function_line(rec.source_lines, function),
                              revision=rec.revision, transient=True)
        return Refused(refusal)
    tracker.start_revision(rec, None, linemap)
    captured = io.StringIO()
    shims: list[str] = []
    try:
        with watch.watched(path, function, limit), time_limit(limit), contextlib.redirect_stdout(captured), \
                warnings.catch_warnings(), idioms.shimmed() as shims:
            # Warnings from Alembic, SQLAlchemy or the revision itself are not findings; keep stderr clean.
            warnings.simplefilter("ignore")
            module = _load_module(rec.file)
            upgrade = getattr(module, function, None)
            if not callable(upgrade) and function != "upgrade":
                return None
            if not callable(upgrade):
                rec.error = LoadError(message="revision has no upgrade() function", path=path, line=1,
                                      revision=rec.revision)
                return None
            transaction = context.begin_transaction(_per_migration=True) if per_migration \
                else contextlib.nullcontext()
            with transaction:  # type: ignore[attr-defined]
                for call, arguments in upgrade_calls(module, upgrade, function):
                    tracker.start_revision(rec, getattr(call, "__code__", None), linemap)
                    call(*arguments)
    except (KeyboardInterrupt, Terminated):
        raise
    except BaseException as exc:  # noqa: BLE001 - SystemExit from a revision must not end the review
        rec.error = _load_error(exc, rec)
        return exc
    finally:
        tracker.end_revision()
        _note_shims(rec, shims)
    return None


def _note_shims(rec: RecordedRevision, shims: list[str]) -> None:
    """A revision that ran only thanks to a shim for the other SQLAlchemy major is a partial review."""
    if not shims or rec.error is not None:
        return
    rec.notes.append(Note(kind=idioms.NOTE_KIND,
                          message=f"partial review: the revision uses {', '.join(shims)}, written for "
                                  f"{idioms.needed_version(shims[0])} (SQLAlchemy {idioms.VERSION} is installed); "
                                  "migsafe ran it with a shim that may not do exactly what that version does: run "
                                  "migsafe in the project's own environment for a complete review",
                          path=rec.path, line=rec.file.line, revision=rec.revision))


class Refused(Exception):
    """What ``run_upgrade`` returns for a revision the worker's supervisor refused to run again."""


def _function_line(source_lines: list[str], function: str) -> int:
    """The line of ``def <function>(`` (where a revision that never finished is reported), else 1."""
    for number, text in enumerate(source_lines, start=1):
        if text.startswith((f"def {function}(", f"async def {function}(")):
            return number
    return 1


class RevisionExit(BaseException):
    """A revision called ``os._exit()``: a ``BaseException``, like ``SystemExit``, so that a revision's own
    ``except Exception`` does not swallow it."""

    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code


def _exit_from_revision(code: int) -> None:
    raise RevisionExit(code)


class RevisionTimeout(BaseException):
    """A revision's import and upgrade ran longer than the per-revision timeout. A ``BaseException`` so that a
    revision's own ``except Exception`` does not swallow it; ``run_upgrade`` turns it into a load-error."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"revision did not finish within {seconds:g} s")
        self.seconds = seconds


@contextlib.contextmanager
def time_limit(seconds: float | None) -> Iterator[None]:
    """Raise :class:`RevisionTimeout` in the block after ``seconds`` (SIGALRM; main thread only, elsewhere and
    for None or 0 no limit). The previous SIGALRM handler and timer are restored."""
    if not seconds or not hasattr(signal, "setitimer") or threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(signum: int, frame: Any) -> None:
        raise RevisionTimeout(seconds)

    previous = signal.signal(signal.SIGALRM, expire)
    outer_delay, outer_interval = signal.setitimer(signal.ITIMER_REAL, seconds)
    started = time.monotonic()
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        if outer_delay:
            remaining = max(outer_delay - (time.monotonic() - started), 0.001)
            signal.setitimer(signal.ITIMER_REAL, remaining, outer_interval)


def upgrade_calls(module: Any, upgrade: Any, prefix: str = "upgrade") -> list[tuple[Any, tuple[Any, ...]]]:
    """How to call a revision's upgrade: ``upgrade()`` for the usual template; for the multi-database template
    (``def upgrade(engine_name): globals()["upgrade_%s" % engine_name]()``) every ``upgrade_<engine>`` function
    directly, so each op is attributed to its own line; for ``upgrade(op, ...)``-style signatures, the
    Operations object for a parameter named ``op`` and stand-ins for the rest."""
    try:
        parameters = [p for p in inspect.signature(upgrade).parameters.values()
                      if p.default is inspect.Parameter.empty
                      and p.kind in (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)]
    except (TypeError, ValueError):
        parameters = []
    if not parameters:
        return [(upgrade, ())]
    per_engine = [value for name, value in vars(module).items()
                  if name.startswith(f"{prefix}_") and inspect.isfunction(value)
                  and value.__module__ == module.__name__]
    if len(parameters) == 1 and per_engine:
        return [(function, ()) for function in sorted(per_engine, key=lambda f: f.__code__.co_firstlineno)]
    import alembic.op as op_module

    from migsafe.recording.stubs import stub_class

    arguments = tuple(op_module._proxy if p.name == "op" else stub_class(f"upgrade argument {p.name}")()
                      for p in parameters)
    return [(upgrade, arguments)]


def _load_error(exc: BaseException, rec: RecordedRevision) -> LoadError:
    line = 1
    in_revision_syntax = isinstance(exc, SyntaxError) and bool(exc.filename) and Path(exc.filename) == rec.path
    if in_revision_syntax:
        line = exc.lineno or 1  # type: ignore[attr-defined]
    else:
        for frame, lineno in traceback.walk_tb(exc.__traceback__):
            if frame.f_code.co_filename == str(rec.path):
                line = lineno
    text = str(exc).strip().splitlines()
    if isinstance(exc, SystemExit):
        message = f"revision called sys.exit({exc.code!r})"
    elif isinstance(exc, RevisionExit):
        message = f"revision called os._exit({exc.code!r})"
    elif isinstance(exc, RevisionTimeout):
        message = f"revision did not finish within {exc.seconds:g} s (see --revision-timeout)"
    elif in_revision_syntax:
        message = f"SyntaxError: {exc.msg}"  # type: ignore[attr-defined]  # as revisions.read_header says it
    else:
        message = idioms.explain(exc, f"{type(exc).__name__}: {text[0]}" if text else type(exc).__name__)
    return LoadError(message=message, path=rec.path, line=line, revision=rec.revision,
                     transient=isinstance(exc, RevisionTimeout))


def _needs_downgrade(rec: RecordedRevision) -> bool:
    """A drop of something the schema model did not know calls for the downgrade's evidence (its type), and so
    does a drop beside an add on the same table, or a table dropped beside one created: a possible hidden
    rename, whose autogenerated downgrade re-adds the old and drops the new."""
    actions = [action for statement in rec.statements for action in statement.actions]
    dropped_from = {a.table for a in actions if isinstance(a, A.DropColumn)}
    if dropped_from & {a.table for a in actions if isinstance(a, A.AddColumn)}:
        return True
    if any(isinstance(a, A.DropTable) for a in actions) and any(isinstance(a, A.CreateTable) for a in actions):
        return True
    for statement in rec.statements:
        for action in statement.actions:
            if isinstance(action, A.AlterColumnType) and _old_type_unknown(statement, action):
                return True
            if isinstance(action, A.DropColumn):
                table = statement.tables_before.get(action.table)
                if table is None or table.column(action.column) is None or table.column(action.column).type is None:
                    return True
            elif isinstance(action, A.DropTable):
                table = statement.tables_before.get(action.table)
                # created_in None: a table the model only heard of (its columns are the ones we saw touched).
                if table is None or not table.columns or table.created_in is None:
                    return True
    return False


def _downgrade_actions(rec: RecordedRevision, context: MigrationContext, recorder: Recorder,
                       sys_path: list[Path] | None = None) -> tuple[A.Action, ...]:
    """Record ``downgrade()`` against a throwaway schema; its ADD COLUMN / CREATE TABLE say what was dropped,
    its DROP COLUMN / DROP TABLE what was added in its place, its ALTER COLUMN ... TYPE what type a column had.
    The modules the upgrade ran with stand-ins for get them again: without them the revision does not even
    import."""
    scratch = RecordedRevision(file=rec.file, reported=False)
    if watch.refused(rec.path, "downgrade evidence") is not None:
        rec.cacheable = False  # as for a timeout: it may finish next time
        return ()
    real_schema, checkpoint = recorder.schema, recorder.checkpoint()
    recorder.schema = Schema()
    limit = getattr(context, "_revision_timeout", None)
    finder = StubFinder(list(rec.stubbed), recorder.stub_called) if rec.stubbed else None
    before = set(sys.modules)
    if finder is not None:
        finder.install()
    try:
        with watch.watched(rec.path, "downgrade evidence", limit), time_limit(limit), \
                contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings(), idioms.shimmed():
            warnings.simplefilter("ignore")
            module = _load_module(rec.file)
            downgrade = getattr(module, "downgrade", None)
            if not callable(downgrade):
                return ()
            recorder.start_revision(scratch, getattr(downgrade, "__code__", None), LineMap(""))
            downgrade()
    except KeyboardInterrupt:
        raise
    except RevisionTimeout:
        rec.cacheable = False  # it may finish next time, with the evidence
    except BaseException:  # noqa: BLE001 - evidence is best effort
        pass
    finally:
        if finder is not None:
            finder.uninstall()
            _forget_project_modules(before, sys_path or [])
        recorder.end_revision()
        # Transaction numbers too: a revision reviewed or only loaded for context leaves the same state.
        recorder.schema = real_schema
        recorder.restore(checkpoint)
    return tuple(a for s in scratch.statements for a in s.actions
                 if isinstance(a, (A.AddColumn, A.CreateTable, A.DropColumn, A.DropTable, A.AlterColumnType)))


def _old_type_unknown(statement: Statement, action: A.AlterColumnType) -> bool:
    """A type change whose old type neither ``existing_type=`` nor the schema model knows (a table that predates
    the history, a column of a type from a module not installed here): the revision's ``downgrade()``, which
    usually changes the column back, may say what it was."""
    if action.new_type is None or (action.old_type_hint is not None and action.old_type_hint.known):
        return False
    table = statement.tables_before.get(action.table)
    column = table.column(action.column) if table is not None else None
    return column is None or column.type is None or not column.type.known


def _adopt_reverted_types(rec: RecordedRevision) -> None:
    """Give each upgrade type change whose old type is unknown the type ``downgrade()`` changes that column back
    to. ``downgrade()`` undoes the upgrade in reverse, so its last change of a column restores the type the
    column had before the upgrade's first change of it: only that first change gets it."""
    from dataclasses import replace

    restored: dict[tuple[A.QName, str], A.SqlType] = {}
    for action in rec.downgrade_actions or ():
        if isinstance(action, A.AlterColumnType) and action.new_type is not None:
            restored[(action.table, action.column)] = action.new_type
    if not restored:
        return
    seen: set[tuple[A.QName, str]] = set()
    for statement in rec.statements:
        changed = False
        actions = list(statement.actions)
        for position, action in enumerate(actions):
            if not isinstance(action, A.AlterColumnType) or (action.table, action.column) in seen:
                continue
            seen.add((action.table, action.column))
            back = restored.get((action.table, action.column))
            if back is not None and _old_type_unknown(statement, action):
                actions[position] = replace(action, old_type_reverted=back)
                changed = True
        if changed:
            statement.actions = tuple(actions)
