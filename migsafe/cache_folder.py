"""The cache folder on disk: whether migsafe may use it, and touching nothing in it migsafe did not write.

The folder is named by the user (``--cache-dir``, ``$MIGSAFE_CACHE_DIR``, ``cache-dir``), so it may be
anything: the project itself, a folder of precious files, a shared ``/tmp`` directory. migsafe uses it only
when it is this user's (owned by them, not writable by group or others: another user could otherwise plant
entries or symbolic links that redirect writes) and holds nothing but migsafe's own layout; an existing
empty folder is fine. It writes ``.gitignore`` and ``CACHEDIR.TAG`` only into a folder it created, and
removes only files and directories whose names and places are its own: tool-key directories
(:data:`_TOOL_KEY` names holding ``history.pickle``, ``revisions/`` and ``snapshots/`` of ``<key>.pickle``),
and temporary files of runs that are gone. Nothing here follows a symbolic link.
"""

from __future__ import annotations

import functools
import os
import re
import stat
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

GITIGNORE = "# Created by migsafe: a cache of recorded revisions, safe to delete.\n*\n"
CACHEDIR_TAG = ("Signature: 8a477f597d28d172789f06886806bc55\n"
                "# This file is a cache directory tag created by migsafe.\n"
                "# For information about cache directory tags see https://bford.info/cachedir/\n")
_MARKERS = {".gitignore": GITIGNORE.encode(), "CACHEDIR.TAG": CACHEDIR_TAG.encode()}
_TOOL_KEY = re.compile(r"[0-9a-f]{32}")
_ENTRY = re.compile(r"[0-9a-f]{32}\.pickle")
_TEMPORARY = re.compile(r"\.tmp-(\d+)-")
_ENTRY_FOLDERS = ("revisions", "snapshots")
STALE_SECONDS = 7 * 24 * 3600  # tool-key directories unused this long are removed
ABANDONED_SECONDS = 3600  # a temporary file this old is left by a run that will not rename it
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)


class Refused(Exception):
    """The folder is not used as the cache; the message says why, in a few words."""


@dataclass
class Folder:
    """A cache folder checked for use: ``created`` when this run made it."""

    path: Path
    created: bool
    tool_keys: list[str] = field(default_factory=list)
    temporary: list[str] = field(default_factory=list)


def check(root: Path, protected: Iterable[Path] = ()) -> Folder:
    """The folder ``root``, created if missing, when it may be used as the cache; else :class:`Refused`.
    ``protected``: the project's root and versions directories, which the cache may neither be nor hold."""
    resolved = root.resolve()
    for path in protected:
        target = path.resolve()
        if target == resolved:
            raise Refused("it is the project's own folder" if path.is_dir() else "it is a project file")
        if resolved in target.parents:
            raise Refused(f"it holds the project's {path.name}")
    created = False
    try:
        try:
            info = os.lstat(root)
        except FileNotFoundError:
            root.parent.mkdir(parents=True, exist_ok=True)
            _check_parent(Path(os.path.realpath(root.parent)))  # before anything is created in it
            try:
                root.mkdir(mode=0o700)
                created = True
            except FileExistsError:
                pass  # a concurrent run made it: check it like any other
            info = os.lstat(root)
    except OSError as exc:
        raise Refused(f"it cannot be created: {exc.strerror or exc}") from None
    if stat.S_ISLNK(info.st_mode):
        if not owned(info):
            raise Refused(f"it is a symbolic link owned by another user (uid {info.st_uid})")
        try:
            info = os.stat(root)
        except OSError as exc:
            raise Refused(f"it is a symbolic link to nothing usable: {exc.strerror or exc}") from None
    if not stat.S_ISDIR(info.st_mode):
        raise Refused("it is not a directory")
    if not owned(info):
        raise Refused(f"it belongs to another user (uid {info.st_uid}); use a folder of your own")
    if others_can_write(info):
        raise Refused(f"other users can write to it (mode {stat.S_IMODE(info.st_mode):o}); chmod go-w it")
    _check_parent(Path(os.path.realpath(root)).parent)
    folder = Folder(root, created)
    try:
        entries = list(os.scandir(root))
    except OSError as exc:
        raise Refused(f"it cannot be read: {exc.strerror or exc}") from None
    for entry in entries:
        try:
            kind = entry.stat(follow_symlinks=False).st_mode
        except OSError:
            continue  # removed meanwhile (a concurrent run's temporary file)
        if entry.name in _MARKERS and stat.S_ISREG(kind) and _is_marker(entry.path, entry.name):
            continue
        if _TOOL_KEY.fullmatch(entry.name) and stat.S_ISDIR(kind):
            folder.tool_keys.append(entry.name)
            continue
        if _TEMPORARY.match(entry.name) and stat.S_ISREG(kind):
            folder.temporary.append(entry.name)
            continue
        raise Refused(f"it holds {entry.name!r}, which migsafe did not write (use an empty or new folder)")
    return folder


def _check_parent(parent: Path) -> None:
    """Whoever may rename entries in the folder's parent can swap the folder for a link after it was
    checked: the parent must be this user's or root's, and others may write to it only if it is sticky
    (``/tmp``), where they cannot rename what is not theirs."""
    try:
        info = os.stat(parent)
    except OSError as exc:
        raise Refused(f"its parent folder cannot be read: {exc.strerror or exc}") from None
    if not owned(info) and info.st_uid != 0:
        raise Refused(f"its parent folder {parent} belongs to another user (uid {info.st_uid})")
    if info.st_mode & stat.S_ISVTX or not others_can_write(info):
        return
    if info.st_mode & 0o002 or not _private_group(info.st_gid):
        raise Refused(f"other users can write to its parent folder {parent} (and it is not sticky)")


@functools.lru_cache(maxsize=None)
def _private_group(gid: int) -> bool:
    """Whether ``gid`` is this user's own group (named after them, no other member): with umask 002, the
    default on many Linux systems, a project's folders are group-writable by that group alone."""
    import grp
    import pwd

    try:
        group = grp.getgrgid(gid)
        user = pwd.getpwuid(os.geteuid()).pw_name
    except (KeyError, OSError):
        return False
    return group.gr_name == user and set(group.gr_mem) <= {user}


def owned(info: os.stat_result) -> bool:
    """Whether this user owns the file (always, where the system has no user ids: Windows)."""
    return not hasattr(os, "geteuid") or info.st_uid == os.geteuid()


def others_can_write(info: os.stat_result) -> bool:
    """Group- or world-writable (never on Windows, whose permissions are not mode bits)."""
    return hasattr(os, "geteuid") and bool(info.st_mode & 0o022)


def _is_marker(path: str, name: str) -> bool:
    try:
        with open(os.open(path, os.O_RDONLY | _NOFOLLOW | _CLOEXEC), "rb") as stream:
            return stream.read(len(_MARKERS[name]) + 1) == _MARKERS[name]
    except OSError:
        return False


def write_markers(folder: Folder) -> None:
    """``.gitignore`` (git never sees the cache) and ``CACHEDIR.TAG`` (backup tools skip it), only in a folder
    this run created: written anywhere else, ``*`` would hide a whole project from git."""
    if folder.created:
        for name, text in _MARKERS.items():
            write_atomic(folder.path / name, text)


def private_directory(path: Path) -> None:
    """``path`` (inside a checked folder) exists as a real directory of this user: never a symbolic link."""
    try:
        path.mkdir(mode=0o700)
    except FileExistsError:
        pass
    info = os.lstat(path)
    if not stat.S_ISDIR(info.st_mode) or not owned(info):
        raise OSError(f"{path} is not a directory of this user")


# -- reading and writing ------------------------------------------------------------------------------------------

def read(path: Path) -> bytes:
    """The file's bytes, never through a symbolic link."""
    with open(os.open(path, os.O_RDONLY | _NOFOLLOW | _CLOEXEC), "rb") as stream:
        return stream.read()


def write_atomic(path: Path, *parts: bytes) -> None:
    """Write to a name no other process or thread uses (pid and thread in it), created anew (never through
    a link), then rename into place: readers see the old file or the new one, never half of one. A run
    killed before the rename leaves the temporary file; :func:`remove_abandoned` removes it later."""
    temporary = path.with_name(f".tmp-{os.getpid()}-{threading.get_ident()}-{path.name}")
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | _CLOEXEC
    try:
        descriptor = os.open(temporary, flags, 0o600)
    except FileExistsError:  # left by a killed run whose pid and thread id this one has
        os.unlink(temporary)
        descriptor = os.open(temporary, flags, 0o600)
    try:
        with open(descriptor, "wb") as stream:
            for part in parts:
                stream.write(part)
        os.replace(temporary, path)
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise


# -- removing what migsafe left ------------------------------------------------------------------------------------

def remove_abandoned(directory: Path, names: Iterable[str], now: float | None = None) -> None:
    """Remove the temporary files among ``names`` whose run is gone (its pid is not alive) or that are older
    than an hour; a concurrent run's file in flight stays."""
    now = time.time() if now is None else now
    for name in names:
        match = _TEMPORARY.match(name)
        if match is None:
            continue
        path = directory / name
        try:
            info = os.lstat(path)
            if not stat.S_ISREG(info.st_mode):
                continue
            if _alive(int(match.group(1))) and now - info.st_mtime < ABANDONED_SECONDS:
                continue
            os.unlink(path)
        except (OSError, ValueError):
            continue


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # someone else's process (EPERM): alive
    return True


def remove_stale(folder: Folder, keep: str, now: float | None = None) -> None:
    """Remove tool-key directories (other than ``keep``) unused for a week, when everything in them is
    migsafe's own layout; a directory holding anything else is left whole."""
    now = time.time() if now is None else now
    for name in folder.tool_keys:
        if name == keep:
            continue
        path = folder.path / name
        try:
            if now - os.lstat(path).st_mtime <= STALE_SECONDS:
                continue
        except OSError:
            continue
        files = _own_layout(path)
        if files is None:
            continue
        for file in files:
            try:
                os.unlink(file)
            except OSError:
                pass
        for directory in (*(path / sub for sub in _ENTRY_FOLDERS), path):
            try:
                os.rmdir(directory)  # fails, harmlessly, if anything else appeared meanwhile
            except OSError:
                pass


def _own_layout(path: Path) -> list[Path] | None:
    """Every file in tool-key directory ``path``, when all of it is migsafe's layout; else None."""
    files: list[Path] = []
    try:
        for entry in os.scandir(path):
            kind = entry.stat(follow_symlinks=False).st_mode
            if entry.name in _ENTRY_FOLDERS and stat.S_ISDIR(kind):
                for inner in os.scandir(entry.path):
                    if not stat.S_ISREG(inner.stat(follow_symlinks=False).st_mode):
                        return None
                    if not (_ENTRY.fullmatch(inner.name) or _TEMPORARY.match(inner.name)):
                        return None
                    files.append(Path(inner.path))
            elif (entry.name == "history.pickle" or _TEMPORARY.match(entry.name)) and stat.S_ISREG(kind):
                files.append(Path(entry.path))
            else:
                return None
    except OSError:
        return None
    return files


def is_entry_name(name: str) -> bool:
    """Whether ``name`` in revisions/ or snapshots/ is an entry migsafe writes (pruning removes no other)."""
    return _ENTRY.fullmatch(name) is not None
