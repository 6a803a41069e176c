"""The review in a worker process that migsafe can kill and replace.

Revision scripts are the project's code and run unsandboxed, with the user's rights. A review must still end,
with a report that is migsafe's alone, whatever they do: a loop that catches ``BaseException`` or ignores
SIGALRM, one long C call that no signal handler can interrupt, threads or child processes that go on writing
to stdout, a ``SIGKILL`` of their own process or a signal to its parent. So the command line does not record
revisions itself. It forks a *worker* that runs the whole review (:func:`migsafe.engine.review`) and sends back
the report, and it *supervises*:

* The worker announces every revision it (or the child recording a long history's tail,
  :mod:`migsafe.recording.tail`) starts and ends (:mod:`migsafe.recording.watch`). One that runs past its
  limit plus a grace, or during which the worker dies, is *refused*: the worker's process group is killed and
  a new worker reviews the history again, with that revision a load-error it does not run. The SIGALRM limit
  inside the worker still ends well-behaved slow revisions without a restart.
* The worker's stdin and stdout are ``/dev/null``: what revisions print, from any thread, process or C
  extension, never reaches migsafe's stdout, where only this process writes the report. What migsafe itself
  writes to ``sys.stderr`` in the worker is passed on here, and so is its progress (:mod:`migsafe.progress`)
  when this process shows a bar.
* Revision code that signals its parent signals this process (the worker's parent, and the tail child's
  after a double fork, this process being the subreaper). This process takes SIGINT, SIGTERM and SIGHUP
  with ``sigtimedwait`` and ignores those sent from the worker's process group; from anyone else they stop
  the review as usual.

Linux only (``sigtimedwait``, ``PR_SET_CHILD_SUBREAPER``, ``fork``); elsewhere the review runs in this process
with the SIGALRM limit alone, as before.
"""

from __future__ import annotations

import os
import pickle
import select
import signal
import struct
import sys
import tempfile
import time
from dataclasses import dataclass
from typing import Any, BinaryIO

from migsafe import progress
from migsafe.engine import ReviewOptions
from migsafe.errors import MigsafeError, Terminated
from migsafe.recording import watch
from migsafe.report import Report

_SIGNALS = frozenset({signal.SIGINT, signal.SIGTERM, signal.SIGHUP})
_POLL = 0.05  # seconds between looks at signals and limits while nothing arrives
_BATCH = 0.02  # seconds to let messages gather after some arrived
_LENGTH = struct.Struct("<q")
_PR_SET_CHILD_SUBREAPER = 36


def grace(limit: float) -> float:
    """How long past its limit a revision may run before its worker is killed: the SIGALRM inside the worker
    normally ends it at the limit, without a restart."""
    return 1.0 + limit / 10


def available() -> bool:
    return sys.platform.startswith("linux") and hasattr(os, "fork") and hasattr(signal, "sigtimedwait")


def review(options: ReviewOptions) -> Report:
    """:func:`migsafe.engine.review` in a supervised worker (see the module docstring)."""
    from migsafe import engine

    if not available():
        return engine.review(options)
    refused: dict[str, str] = {}
    said: set[str] = set()  # stderr lines of earlier workers: a restart does not say them again
    while True:
        outcome = _run_worker(options, refused, said)
        if isinstance(outcome, Report):
            return outcome
        if outcome.key in refused:  # refused runs never start again: a second refusal is migsafe's own bug
            raise MigsafeError("internal error: the review worker stopped twice at the same revision "
                               f"({outcome.reason})")
        refused[outcome.key] = outcome.reason


@dataclass
class _Refusal:
    key: str
    reason: str


@dataclass
class _Run:
    key: str
    started: float
    limit: float


def _run_worker(options: ReviewOptions, refused: dict[str, str], said: set[str]) -> "Report | _Refusal":
    from migsafe import engine

    try:
        results = tempfile.TemporaryFile(prefix="migsafe-report-")
    except OSError:
        return engine.review(options)  # no temporary directory: in this process, as elsewhere than Linux
    read_end, write_end = os.pipe()
    previous_mask = signal.pthread_sigmask(signal.SIG_BLOCK, _SIGNALS)
    was_subreaper = _subreaper(True)
    try:
        for stream in (sys.stdout, sys.stderr):
            stream.flush()  # or the worker would write the buffered text again
        pid = os.fork()
    except BaseException:
        _subreaper(was_subreaper)
        signal.pthread_sigmask(signal.SIG_SETMASK, previous_mask)
        os.close(read_end)
        os.close(write_end)
        results.close()
        raise
    if pid == 0:  # the worker: never returns
        try:
            signal.pthread_sigmask(signal.SIG_SETMASK, previous_mask)
            os.close(read_end)
            _work(options, refused, write_end, results)
        finally:
            os._exit(70)
    os.close(write_end)
    try:
        os.setpgid(pid, pid)  # also done by the worker: whichever runs first
    except OSError:
        pass
    supervisor = _Supervisor(pid, read_end, results, said)
    try:
        return supervisor.run()
    finally:
        try:
            supervisor.stop()
            _subreaper(was_subreaper)
            supervisor.drain_signals()  # may raise, for a Ctrl-C that came meanwhile
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, previous_mask)
            os.close(read_end)
            results.close()


def _work(options: ReviewOptions, refused: dict[str, str], fd: int, results: BinaryIO) -> None:
    from migsafe import engine

    try:
        os.setpgid(0, 0)  # one group with the tail child and the revisions' own processes: killed together
    except OSError:
        pass
    devnull = os.open(os.devnull, os.O_RDWR)
    os.dup2(devnull, 0)
    os.dup2(devnull, 1)
    os.close(devnull)
    own = watch.Watch(fd, dict(refused))
    watch.install(own)
    sys.stdin = open(os.devnull)  # noqa: SIM115 - for the life of the process
    sys.stdout = open(os.devnull, "w")  # noqa: SIM115
    sys.stderr = watch.StderrToSupervisor(own)  # type: ignore[assignment]
    # Forked from the command line with its listener (a bar on the terminal): pass reports on instead.
    shown = watch.ProgressToSupervisor(own) if progress.active() else None
    outcome: tuple[Any, ...]
    try:
        with progress.listening(shown):
            outcome = ("report", engine.review(options))
    except MigsafeError as exc:
        outcome = ("error", str(exc))
    except BaseException as exc:  # noqa: BLE001 - told to the user in one line, as the CLI does in process
        detail = str(exc).strip().splitlines()
        outcome = ("error", f"internal error: {type(exc).__name__}: {detail[0] if detail else ''} "
                            "(please report this with the revision that triggered it)")
    try:
        data = pickle.dumps(outcome, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception as exc:  # noqa: BLE001
        data = pickle.dumps(("error", f"internal error: the report could not be passed on ({exc})"))
    results.write(data)
    results.flush()
    own.send(b"R", _LENGTH.pack(len(data)))
    os._exit(0)


class _Supervisor:
    def __init__(self, pid: int, fd: int, results: BinaryIO, said: set[str]) -> None:
        self.pid = pid
        self.said = said  # stderr lines passed on, by this worker and the ones before it
        self.said_before = frozenset(said)
        self.unfinished = ""  # the last stderr line, until its end arrives
        self.fd = fd
        self.results = results
        self.running: dict[int, _Run] = {}  # recording process -> the run it announced
        self.pending = b""
        self.closed = False  # the pipe's end: every process that could write to it is gone
        self.status: int | None = None  # once the worker ended: its exit status, or minus the signal

    def run(self) -> "Report | _Refusal":
        while True:
            outcome = self._receive(_POLL)
            if outcome is not None:
                return outcome
            # Messages come two per revision: waking for each would take a processor's time from the
            # recording processes (13% of a 2,000-revision review on two processors). Take them in batches.
            time.sleep(_BATCH)
            progress.tick()
            self._take_signals()
            self._reap()
            if self.status is not None:
                while (outcome := self._receive(0)) is None and not self.closed and self._readable(0):
                    pass
                return outcome if outcome is not None else self._ended()
            late = self._overdue()
            if late is not None:
                return late

    # -- messages -------------------------------------------------------------------------------------------
    def _readable(self, timeout: float) -> bool:
        try:
            return bool(select.select([self.fd], [], [], timeout)[0])
        except InterruptedError:
            return False

    def _receive(self, timeout: float) -> "Report | _Refusal | None":
        if self.closed:
            time.sleep(timeout)
            return None
        if not self._readable(timeout):
            return None
        chunk = os.read(self.fd, 1 << 16)
        if not chunk:
            self.closed = True  # every writer is gone; the worker's exit status says the rest
            return None
        self.pending += chunk
        while len(self.pending) >= watch.HEADER.size:
            kind, sender, length = watch.HEADER.unpack_from(self.pending)
            end = watch.HEADER.size + length
            if len(self.pending) < end:
                break
            payload, self.pending = self.pending[watch.HEADER.size:end], self.pending[end:]
            outcome = self._handle(kind, sender, payload)
            if outcome is not None:
                return outcome
        return None

    def _handle(self, kind: bytes, sender: int, payload: bytes) -> "Report | None":
        if kind == b"B":
            key, _, limit = payload.decode().partition(" ")
            self.running[sender] = _Run(key, time.monotonic(), float(limit or 0))
        elif kind == b"E":
            self.running.pop(sender, None)
        elif kind == b"S":
            *lines, self.unfinished = (self.unfinished + payload.decode("utf-8", "replace")).split("\n")
            for line in lines:
                if line not in self.said_before:
                    sys.stderr.write(line + "\n")
                self.said.add(line)
        elif kind == b"P":
            progress.report(*watch.progress_of(payload))
        elif kind == b"R" and sender == self.pid:
            self.results.seek(0)
            outcome = pickle.loads(self.results.read(_LENGTH.unpack(payload)[0]))
            if outcome[0] == "error":
                raise MigsafeError(outcome[1])
            return outcome[1]  # type: ignore[no-any-return]
        return None

    # -- limits and endings ---------------------------------------------------------------------------------
    def _overdue(self) -> "_Refusal | None":
        now = time.monotonic()
        for sender, run in list(self.running.items()):
            if not run.limit or now - run.started <= run.limit + grace(run.limit):
                continue
            if sender != self.pid and not _alive(sender):
                del self.running[sender]  # the tail child died with it; the worker records that revision again
                continue
            return _Refusal(run.key, f"revision did not finish within {run.limit:g} s (see --revision-timeout)")
        return None

    def _ended(self) -> _Refusal:
        """The worker ended without a report: the revision it was running did that."""
        assert self.status is not None
        if self.status < 0:
            try:
                how = f"signal {signal.Signals(-self.status).name}"
            except ValueError:
                how = f"signal {-self.status}"
        else:
            how = f"exit status {self.status}"
        run = self.running.get(self.pid)
        if run is None:
            raise MigsafeError(f"internal error: the review worker ended ({how}) outside any revision "
                               "(please report this with the history that triggered it)")
        return _Refusal(run.key, f"the revision ended the process recording it ({how}); under `alembic upgrade` "
                                 "it would end Alembic too")

    def _reap(self) -> None:
        """Collect the worker's status, and any orphan of its handed to this process (the subreaper). Only
        processes of the worker's group: a host process's other children (a test's servers) are not ours."""
        while True:
            try:
                info = os.waitid(os.P_PGID, self.pid, os.WEXITED | os.WNOHANG)
            except ChildProcessError:
                return
            if info is None:
                return
            if info.si_pid == self.pid:
                self.status = info.si_status if info.si_code == os.CLD_EXITED else -info.si_status

    # -- signals --------------------------------------------------------------------------------------------
    def _take_signals(self) -> None:
        while (info := signal.sigtimedwait(_SIGNALS, 0)) is not None:
            if self._from_review(info.si_pid):
                continue  # a revision signalling its parent: under `alembic upgrade` it hits Alembic's shell
            if info.si_signo == signal.SIGINT:
                raise KeyboardInterrupt
            raise Terminated(128 + info.si_signo)

    def _from_review(self, sender: int) -> bool:
        if sender == self.pid or sender in self.running:
            return True
        try:
            return os.getpgid(sender) == self.pid
        except OSError:
            return False

    def drain_signals(self) -> None:
        """Signals revisions sent that arrived after the last look: dropped before they are unblocked."""
        self._take_signals()

    def stop(self) -> None:
        """Kill the worker and everything left in its process group (the tail child, processes revisions
        started), and collect them."""
        for target in (-self.pid, self.pid):
            try:
                os.kill(target, signal.SIGKILL)
            except OSError:
                pass
        if self.status is None:
            try:
                os.waitpid(self.pid, 0)
                self.status = 0
            except ChildProcessError:
                pass
        self._reap()
        if self.unfinished:
            sys.stderr.write(self.unfinished)
            self.unfinished = ""


def _alive(pid: int) -> bool:
    """Whether a process that is not this one's child still runs (a zombie does not)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            return stat.read().rpartition(b")")[2].split()[0] not in (b"Z", b"X")
    except (OSError, IndexError):
        return False


def _subreaper(on: bool) -> bool:
    """Make this process the one that orphans of its descendants are handed to (so that the tail child's
    parent, after its double fork, is this process); returns what it was before."""
    import ctypes

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        before = ctypes.c_int(0)
        libc.prctl(37, ctypes.byref(before), 0, 0, 0)  # PR_GET_CHILD_SUBREAPER
        libc.prctl(_PR_SET_CHILD_SUBREAPER, int(on), 0, 0, 0)
        return bool(before.value)
    except (OSError, AttributeError):
        return False
