"""Recording a long history on two processors: a forked child records the second part while this process
records the first.

A revision's recording (the operations, the SQL Alembic renders, its line, transaction and parse) does not
depend on the schema model, except where the revision's own code asks the model something: reflection
through ``op.get_bind()``, or a ``batch_alter_table(recreate="always")``. So the child records the tail of
the history *speculatively*, without a model, and counts those questions. This process then records the
head as usual and takes the child's recordings one by one, in upgrade order, applying each statement to its
own schema model exactly as recording it would have (the before-snapshots rules read, the model changes).
A revision is recorded here instead, live, whenever the child's recording might differ from a live one:

* its code read the schema model (``Recorder.model_reads``);
* it failed;
* it needed stand-ins for missing modules, and the modules earlier revisions were found missing (which
  decide its retries) differ between the two processes;
* the session it started in differs (transaction open or not, search_path);
* applying it to the model raised;
* it could not be pickled, or the child stopped (any failure there: the rest is recorded here).

What the child cannot see is Python state an earlier revision of the head left in an application module for
a later one (the same limit as the cache, see docs/cache.md). Transaction numbers are the child's, shifted to
follow this process's. ``tests/test_tail_recording.py`` checks that reports are identical either way.

It starts where recording starts for real: at the first revision, or after the revisions taken from the
cache, which then stores the child's recordings like any other, with the application modules they imported
(reported by the child) among their dependencies. Only on Linux (``fork``), with two processors or more,
with no other thread running (migsafe used as a library in a threaded host), and for ``MIN_REVISIONS``
revisions or more to record: below that, forking and merging cost more than they save. ``MIGSAFE_JOBS=1``
turns it off.
"""

from __future__ import annotations

import os
import pickle
import signal
import struct
import sys
import tempfile
import threading
from dataclasses import dataclass
from typing import Any, Callable

from migsafe import progress
from migsafe.model import RecordedRevision, RevisionFile
from migsafe.recording.recorder import DriverState, Recorder
from migsafe.recording.reuse import imported_since
from migsafe.sql.parser import parse_sql

MIN_REVISIONS = 200
# Share of the revisions to record that the child takes. Merging a revision costs about a tenth of recording
# it, and the child, without schema model or downgrade evidence, records a little faster than this process:
# with this share both finish together (measured on a generated history of 2,000 revisions).
CHILD_SHARE = 0.55
_CHUNK = 25  # revisions per message from the child
_OFFSET = struct.Struct("<q")
# The real one: while revisions run, os._exit raises instead (see runner.isolated).
_exit = os._exit


@dataclass
class State:
    """The session a revision starts or ends in, as the recorder tracks it."""

    default_schema: str
    in_transaction: bool
    transaction: int | None
    counter: int
    learned: tuple[str, ...]  # modules found missing so far (runner.record_history)
    driver: DriverState = DriverState()  # what the driver and SQLAlchemy believe (recorder.DriverState)

    @classmethod
    def of(cls, recorder: Recorder, learned: list[str]) -> "State":
        return cls(recorder.default_schema, recorder.in_transaction, recorder.transaction,
                   recorder._transaction_counter, tuple(learned), recorder.driver_state)


@dataclass
class Speculation:
    """The child's recording of one revision, without schema snapshots, Alembic op objects or parse trees."""

    index: int
    revision: RecordedRevision | None  # None: could not be pickled
    start: State
    end: State
    usable: bool  # False: the revision's code read the model, or it failed
    stand_ins: bool = False  # it retried with stand-ins: what it did depends on ``start.learned``
    trees: tuple[bool, ...] = ()  # which statements had a parse tree
    # Application modules (name, file) the revision imported first: the cache's entries depend on them.
    imported: tuple[tuple[str, str], ...] = ()


def wanted(count: int) -> bool:
    if os.environ.get("MIGSAFE_JOBS", "").strip() == "1" or count < MIN_REVISIONS:
        return False
    if not sys.platform.startswith("linux") or not hasattr(os, "fork"):
        return False
    try:
        return len(os.sched_getaffinity(0)) >= 2
    except (AttributeError, OSError):
        return (os.cpu_count() or 1) >= 2


class Tail:
    """This process's side: the child's recordings of ``files[first:]``, in order."""

    def __init__(self, first: int, pid: int, messages: int, data: Any) -> None:
        self.first = first
        self._pid = pid
        self._messages = messages
        self._data = data
        self._ready: dict[int, Speculation] = {}
        self._read_to = 0
        self._broken = False
        # The recorder's transaction counter and open transaction when the child started; and the transaction
        # open here when this process reached the child's first revision (the same session, as both see it).
        self._counter_at_fork = 0
        self._open_at_fork: int | None = None
        self._open_here: int | None = None
        self._reached = False
        # A handle on the child that stays its own even once it has ended and its number is reused.
        self._pidfd: int | None = None
        try:
            self._pidfd = os.pidfd_open(pid)
        except (AttributeError, OSError):
            pass

    @classmethod
    def start(cls, start: int, count: int, recorder: Recorder, learned: list[str],
              record: Callable[[int], RecordedRevision]) -> "Tail | None":
        """Fork a child recording the tail of revisions ``start`` to ``count`` with ``record(index)``; None if
        it cannot."""
        first = count - int((count - start) * CHILD_SHARE)
        if threading.active_count() > 1:
            return None  # a host application's threads (migsafe used as a library): forking could deadlock
        try:
            data = tempfile.TemporaryFile(prefix="migsafe-tail-")
            read_end, write_end = os.pipe()
        except OSError:
            return None
        try:
            pid = _fork_orphan()
        except OSError:
            os.close(read_end)
            os.close(write_end)
            data.close()
            return None
        if pid == 0:  # the child: never returns, whatever happens (it must not go on as a second migsafe)
            try:
                os.close(read_end)
                _child(first, count, recorder, learned, record, data, write_end)
            finally:
                _exit(1)
        os.close(write_end)
        tail = cls(first, pid, read_end, data)
        tail._counter_at_fork, tail._open_at_fork = recorder._transaction_counter, recorder.transaction
        return tail

    def take(self, index: int) -> Speculation | None:
        """The child's recording of revision ``index``; waits for it. None when there is none to use."""
        while index not in self._ready and not self._broken:
            self._receive()
        return self._ready.pop(index, None)

    def _receive(self) -> None:
        try:
            raw = _read_exactly(self._messages, _OFFSET.size)
            end = _OFFSET.unpack(raw)[0] if raw is not None else -1
            if end <= self._read_to:
                self._broken = True  # the child ended (finished, or failed): nothing more will come
                return
            chunk = os.pread(self._data.fileno(), end - self._read_to, self._read_to)
            self._read_to = end
            for speculation in pickle.loads(chunk):
                self._ready[speculation.index] = speculation
        except Exception:  # noqa: BLE001 - a damaged message: record the rest here
            self._broken = True

    def close(self) -> None:
        """Stop the child if it still runs (this process failed or was interrupted) and release everything.
        It is not this process's child (see :func:`_fork_orphan`): whoever adopted it collects it."""
        if self._pidfd is not None:
            try:
                signal.pidfd_send_signal(self._pidfd, signal.SIGKILL)
            except OSError:
                pass  # it has ended
            os.close(self._pidfd)
            self._pidfd = None
        os.close(self._messages)
        self._data.close()

    # -- merging ---------------------------------------------------------------------------------------------
    def merge(self, speculation: Speculation | None, recorder: Recorder, learned: list[str],
              file: RevisionFile) -> Speculation | None:
        """The child's recording of ``file`` (``.revision``), applied to ``recorder`` and ``learned`` as if it had
        been recorded here; None when it must be recorded here instead (both are then as they were)."""
        if not self._reached:
            self._reached, self._open_here = True, recorder.transaction
        if speculation is None or not speculation.usable or speculation.revision is None:
            return None
        shift = recorder._transaction_counter - speculation.start.counter
        start = speculation.start
        if (start.default_schema, start.in_transaction, self._map(start.transaction, shift), start.driver) != (
                recorder.default_schema, recorder.in_transaction, recorder.transaction, recorder.driver_state):
            return None
        if speculation.stand_ins and start.learned != tuple(learned):
            return None
        revision = speculation.revision
        checkpoint = recorder.checkpoint()
        try:
            for statement, had_tree in zip(revision.statements, speculation.trees):
                statement.transaction = self._map(statement.transaction, shift)
                if had_tree:
                    raw = parse_sql(statement.sql)
                    statement.node = raw[0].stmt if raw else None
                recorder.snapshot(statement)
                recorder.in_transaction, recorder.transaction = statement.in_transaction, statement.transaction
                recorder.apply(statement, file.revision or file.path.stem)
        except Exception:  # noqa: BLE001 - recorded here instead, which gives the error its own place
            recorder.restore(checkpoint)
            return None
        end = speculation.end
        recorder.default_schema, recorder.in_transaction = end.default_schema, end.in_transaction
        recorder.driver_state = end.driver
        recorder.transaction = self._map(end.transaction, shift)
        recorder._transaction_counter = end.counter + shift
        if speculation.stand_ins:
            learned[:] = end.learned
        revision.file = file
        return speculation

    def _map(self, transaction: int | None, shift: int) -> int | None:
        """A child's transaction number in this process's numbering. The one open at the fork (the outer
        transaction of a single-transaction upgrade) is the one open here at the child's first revision;
        the child's own follow this process's counter."""
        if transaction is None:
            return None
        if transaction == self._open_at_fork:
            return self._open_here
        if transaction <= self._counter_at_fork:
            return transaction
        return transaction + shift


def _fork_orphan() -> int:
    """Fork a child that is not this process's: an intermediate process forks it and ends, so that it is
    handed to the nearest subreaper (the review's supervisor, :mod:`migsafe.worker`, else init). A revision
    that signals its parent (``os.kill(os.getppid(), ...)``) then signals the supervisor, which ignores it, as
    it does when this process records the revision: both ways give the same report. 0 in the child; its pid
    here."""
    read_end, write_end = os.pipe()
    intermediate = os.fork()
    if intermediate == 0:
        try:
            os.close(read_end)
            child = os.fork()
        except BaseException:
            _exit(1)
        if child == 0:
            os.close(write_end)
            return 0
        try:
            os.write(write_end, _OFFSET.pack(child))
        finally:
            _exit(0)
    os.close(write_end)
    try:
        raw = _read_exactly(read_end, _OFFSET.size)
    finally:
        os.close(read_end)
        os.waitpid(intermediate, 0)
    if raw is None:
        raise OSError("the tail child could not be started")
    return _OFFSET.unpack(raw)[0]


def _child(first: int, count: int, recorder: Recorder, learned: list[str],
           record: Callable[[int], RecordedRevision], data: Any, messages: int) -> None:
    code = 1
    try:
        signal.signal(signal.SIGINT, signal.SIG_DFL)  # Ctrl-C: the parent reports it; the child just ends
        progress.forget()  # the parent reports the revisions as it merges them
        recorder.speculative = True
        chunk: list[Speculation] = []
        known = set(sys.modules)
        for index in range(first, count):
            start, reads = State.of(recorder, learned), recorder.model_reads
            revision = record(index)
            end = State.of(recorder, learned)
            speculation = _speculation(index, revision, start, end, recorder.model_reads == reads and
                                       revision.error is None)
            speculation.stand_ins = bool(revision.stubbed) or end.learned != start.learned
            if len(sys.modules) != len(known):
                speculation.imported = tuple(imported_since(known))
                known = set(sys.modules)
            chunk.append(speculation)
            if len(chunk) == _CHUNK or index == count - 1:
                data.write(_dumps(chunk))
                data.flush()
                os.write(messages, _OFFSET.pack(data.tell()))
                chunk = []
        code = 0
    except BaseException:  # noqa: BLE001 - the parent records whatever did not arrive
        pass
    finally:
        _exit(code)


def _speculation(index: int, revision: RecordedRevision, start: State, end: State, usable: bool) -> Speculation:
    trees = tuple(statement.node is not None for statement in revision.statements)
    for operation in revision.operations:
        operation.operation = None  # Alembic's op object (rules do not read it; it may not pickle)
    for statement in revision.statements:
        statement.node = None  # parsed again on the other side: cheaper than pickling pglast nodes
    revision.file = None  # type: ignore[assignment]  # the parent has it
    return Speculation(index=index, revision=revision, start=start, end=end, usable=usable, trees=trees)


def _dumps(chunk: list[Speculation]) -> bytes:
    try:
        return pickle.dumps(chunk, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception:  # noqa: BLE001 - one revision holds something pickle cannot keep: send it as unusable
        kept = []
        for speculation in chunk:
            try:
                pickle.dumps(speculation, protocol=pickle.HIGHEST_PROTOCOL)
            except Exception:  # noqa: BLE001
                speculation.revision = None
            kept.append(speculation)
        return pickle.dumps(kept, protocol=pickle.HIGHEST_PROTOCOL)


def _read_exactly(fd: int, size: int) -> bytes | None:
    parts = b""
    while len(parts) < size:
        try:
            part = os.read(fd, size - len(parts))
        except InterruptedError:
            continue
        if not part:
            return None
        parts += part
    return parts
