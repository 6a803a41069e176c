"""Clusters left behind by a migsafe that could not clean up (SIGKILL, an OOM kill), and how to tell them from
the cluster of a migsafe that is still running.

Every cluster directory records the process that made it (``migsafe.owner``: its pid and, where ``/proc`` says
so, its start time, so that a recycled pid does not pass for it). A directory whose owner is gone is removed once
no process is working in it, after its postmaster is shut down: whoever adopted that postmaster (init, or a
subreaper such as ``systemd --user``) no longer matters. Directories of older migsafe versions have no record
and keep the old rule: postmaster dead, or orphaned to init; or never started and over an hour old.

When migsafe runs as root the directories belong to the unprivileged server user, who could plant links in
them: everything here reads through :func:`read_inside` (no symbolic link followed) and signals a process only
if it really is the postmaster of that directory, running as the directory's owner.
"""

from __future__ import annotations

import errno
import os
import shutil
import signal
import time
from dataclasses import dataclass
from pathlib import Path

OWNER_FILE = "migsafe.owner"
STOP_TIMEOUT = 10.0
_STARTING_FOR_AT_MOST = 3600.0  # seconds: a directory without owner record or postmaster this old was abandoned
_PROC = Path("/proc")


def read_inside(directory: Path, *parts: str, limit: int = 1 << 20) -> str:
    """The text of ``directory/parts...`` without following a symbolic link anywhere below ``directory`` (nor
    ``directory`` itself); "" when it cannot be read. At most ``limit`` bytes."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    fds: list[int] = []
    try:
        fds.append(os.open(directory, flags | getattr(os, "O_DIRECTORY", 0)))
        for part in parts[:-1]:
            fds.append(os.open(part, flags | getattr(os, "O_DIRECTORY", 0), dir_fd=fds[-1]))
        fds.append(os.open(parts[-1], flags | getattr(os, "O_NONBLOCK", 0), dir_fd=fds[-1]))
        return os.read(fds[-1], limit).decode(errors="replace")
    except OSError:
        return ""
    finally:
        for fd in fds:
            os.close(fd)


@dataclass(frozen=True)
class Owner:
    """The process that made a cluster directory."""

    pid: int
    started: str | None  # /proc start time in clock ticks; None where there is no /proc

    @classmethod
    def me(cls) -> "Owner":
        return cls(os.getpid(), _start_time(os.getpid()))

    def text(self) -> str:
        return f"{self.pid} {self.started or '-'}\n"

    @classmethod
    def parse(cls, text: str) -> "Owner | None":
        fields = text.split()
        pid = _pid(fields[0]) if len(fields) == 2 else None
        return None if pid is None else cls(pid, None if fields[1] == "-" else fields[1])

    def alive(self) -> bool:
        if not _process_alive(self.pid) or _zombie(self.pid):
            return False
        now = _start_time(self.pid)
        return self.started is None or now is None or now == self.started


def write_owner(directory: Path) -> None:
    """Record this process as the directory's owner; called while the directory is still ours alone."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    fd = os.open(directory / OWNER_FILE, flags, 0o644)
    with os.fdopen(fd, "w", encoding="ascii") as out:
        out.write(Owner.me().text())


def sweep_stale_clusters(base: Path) -> list[Path]:
    """Remove the ``migsafe-pg-*`` clusters in ``base`` whose migsafe is gone (see the module docstring). A
    cluster whose migsafe still runs is never touched. Returns what was removed."""
    removed: list[Path] = []
    for directory in sorted(base.glob("migsafe-pg-*")):
        try:
            if directory.is_symlink() or not directory.is_dir():
                continue
            owner = Owner.parse(read_inside(directory, OWNER_FILE))
            stale = _legacy_stale(directory) if owner is None or not _PROC.is_dir() else _abandoned(directory, owner)
        except OSError:
            continue
        if not stale:
            continue
        shutil.rmtree(directory, ignore_errors=True)  # never follows links (rmtree.avoids_symlink_attacks)
        if not directory.exists():
            removed.append(directory)
    return removed


def _abandoned(directory: Path, owner: Owner) -> bool:
    """The owner is gone: shut its postmaster down, then the directory may go if nothing else works in it
    (an initdb or a backend still running would otherwise write into a directory being deleted)."""
    if owner.alive():
        return False
    pid = _postmaster_pid(directory)
    if pid is not None and _serves(pid, directory):
        _stop(pid)
    return not _held(directory)


def _legacy_stale(directory: Path) -> bool:
    """The rule for a directory without an owner record (or without /proc to check the owner)."""
    pid = _postmaster_pid(directory)
    if pid is not None:
        if _process_alive(pid) and not _zombie(pid):
            if not _orphaned_postmaster(pid, directory):
                return False
            _stop(pid)
        return True
    return time.time() - directory.stat().st_mtime >= _STARTING_FOR_AT_MOST


def _postmaster_pid(directory: Path) -> int | None:
    lines = read_inside(directory, "data", "postmaster.pid").splitlines()
    return _pid(lines[0]) if lines else None


def _pid(text: str) -> int | None:
    """A process id from a file the server user may have written: plain ASCII digits, in range, else None."""
    text = text.strip()
    if not (text.isascii() and text.isdigit() and len(text) <= 10):
        return None
    return int(text) if 0 < int(text) < 2**31 else None


def _serves(pid: int, directory: Path) -> bool:
    """Is ``pid`` a live postmaster of ``directory``: working in its data directory (a postmaster chdirs there;
    a pid written into postmaster.pid by someone else names a process that does not) and running as the user
    who owns that data directory (PostgreSQL insists on it)?"""
    try:
        data = os.stat(directory / "data", follow_symlinks=False)
        cwd = os.readlink(_PROC / str(pid) / "cwd")
        uid = os.stat(_PROC / str(pid)).st_uid
    except OSError:
        return False
    return cwd == str(directory / "data") and uid == data.st_uid and not _zombie(pid)


def _orphaned_postmaster(pid: int, directory: Path) -> bool:
    """Whether ``pid`` is a postmaster of ``directory`` whose parent is gone (re-parented to init): the test for
    directories without an owner record. Linux /proc; elsewhere: never."""
    try:
        stat_fields = (_PROC / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()
        argv = (_PROC / str(pid) / "cmdline").read_bytes().split(b"\0")
    except (OSError, IndexError):
        return False
    return stat_fields[1] == "1" and os.fsencode(directory / "data") in argv


def _held(directory: Path) -> bool:
    """Does a live process work in ``directory`` (its current directory is in there)? Every process of a
    cluster does: initdb runs in the directory, the postmaster and its children in ``data``."""
    target = str(directory)
    for entry in _PROC.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cwd = os.readlink(entry / "cwd")
        except OSError:
            continue  # gone meanwhile, a zombie, or not ours to look at (then it cannot be in our directory)
        if cwd == target or cwd.startswith(target + "/"):
            return True
    return False


def _stop(pid: int) -> None:
    """Immediate shutdown (SIGQUIT, as the owner would have done), then SIGKILL after :data:`STOP_TIMEOUT`."""
    try:
        os.kill(pid, signal.SIGQUIT)
    except OSError:
        return
    deadline = time.monotonic() + STOP_TIMEOUT
    while time.monotonic() < deadline and _process_alive(pid) and not _zombie(pid):
        time.sleep(0.05)
    if _process_alive(pid) and not _zombie(pid):
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except OSError as error:
        return error.errno != errno.ESRCH
    return True


def _stat_fields(pid: int) -> list[str]:
    """/proc/PID/stat after the command name (field 3 onwards); [] without /proc or once the process is gone."""
    try:
        return (_PROC / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return []


def _zombie(pid: int) -> bool:
    """Exited, waiting for its (adoptive) parent to reap it: it no longer touches any file."""
    fields = _stat_fields(pid)
    return bool(fields) and fields[0] in ("Z", "X")


def _start_time(pid: int) -> str | None:
    fields = _stat_fields(pid)
    return fields[19] if len(fields) > 19 else None
