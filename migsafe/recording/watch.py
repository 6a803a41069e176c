"""The recording side of the review worker (see :mod:`migsafe.worker`): tell the supervising process which
revision runs, so that it can kill the worker when one runs past its limit or takes the process down with it,
and refuse to run the revisions that did so before.

Nothing here is active unless a worker installed a :class:`Watch`; then every process that records (the
worker and the forked child that records a long history's tail) announces each revision on the same pipe.
A message is under ``PIPE_BUF`` bytes, so messages of the two processes never interleave.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import struct
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

# kind (b"B" begin, b"E" end, b"S" stderr text, b"P" progress, b"R" result), pid, payload length; then the
# payload.
HEADER = struct.Struct("<cii")
_STDERR_CHUNK = 1000  # characters: at most 4,000 bytes, so a message stays under Linux's PIPE_BUF (4,096)


def key(path: Path, function: str) -> str:
    """What the supervisor knows a run of a revision's function by: fixed length whatever the path."""
    return hashlib.blake2b(f"{function}\x00{path}".encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


def message(kind: bytes, payload: bytes = b"") -> bytes:
    return HEADER.pack(kind, os.getpid(), len(payload)) + payload


@dataclass
class Watch:
    """The worker's end of the pipe, and the runs the supervisor refused (run key -> why)."""

    fd: int
    refused: dict[str, str] = field(default_factory=dict)

    def send(self, kind: bytes, payload: bytes = b"") -> None:
        try:
            os.write(self.fd, message(kind, payload))
        except OSError:
            pass  # the supervisor is gone: it kills this process anyway


_watch: Watch | None = None


def install(watch: Watch | None) -> None:
    global _watch
    _watch = watch


def refused(path: Path, function: str) -> str | None:
    """Why this run of ``function`` of the revision at ``path`` must not start (it hung or ended the worker
    before), or None."""
    if _watch is None or not _watch.refused:
        return None
    return _watch.refused.get(key(path, function))


@contextlib.contextmanager
def watched(path: Path, function: str, limit: float | None) -> Iterator[None]:
    """Announce the run to the supervisor, with its limit in seconds (0: none), for the time of the block."""
    if _watch is None:
        yield
        return
    _watch.send(b"B", f"{key(path, function)} {limit or 0:g}".encode())
    try:
        yield
    finally:
        _watch.send(b"E")


class ProgressToSupervisor:
    """The worker's :class:`migsafe.progress.Listener`, installed when the command line shows progress: each
    report goes to the supervisor, which reports it again in its own process (:func:`progress_of`)."""

    def __init__(self, watch: Watch) -> None:
        self._watch = watch

    def update(self, stage: str, done: int, total: int | None, item: str = "") -> None:
        fields = f"{done}\x00{'' if total is None else total}\x00{stage[:200]}\x00{item[:200]}"
        self._watch.send(b"P", fields.encode("utf-8", "replace"))

    def tick(self) -> None:
        pass  # the supervisor ticks on its own


def progress_of(payload: bytes) -> tuple[str, int, int | None, str]:
    """A progress message's report: stage, done, total, item."""
    done, total, stage, item = payload.decode("utf-8", "replace").split("\x00")
    return stage, int(done), int(total) if total else None, item


class StderrToSupervisor:
    """``sys.stderr`` in the worker: what migsafe (or a revision) writes there goes to the supervisor, which
    writes it to its own ``sys.stderr``. A forked worker's ``sys.stderr`` may be an object of the parent's
    (a test runner's capture) that nobody would read."""

    encoding = "utf-8"
    errors = "replace"

    def __init__(self, watch: Watch) -> None:
        self._watch = watch

    def write(self, text: str) -> int:
        for start in range(0, len(text), _STDERR_CHUNK):
            self._watch.send(b"S", text[start:start + _STDERR_CHUNK].encode("utf-8", "replace"))
        return len(text)

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return False

    def fileno(self) -> int:
        return 2
