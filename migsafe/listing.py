"""List the revision scripts in version directories as Alembic does, without being stopped or misled by what a
file system holds besides plain files.

Alembic walks a versions directory with ``os.walk`` (links to directories are not followed) and loads each file
once by its real path. A symbolic link that loops or leads nowhere, a FIFO named like a script, a directory
reached twice (overlapping version locations, a bind mount of an ancestor): none of these is a revision Alembic
could run, so each is left out with a reason the report shows as a note, instead of stopping the review (or, for
a FIFO, blocking it forever on ``open``). A directory that cannot be listed may hide revisions: that is an error.
"""

from __future__ import annotations

import errno
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from migsafe.model import LoadError


@dataclass
class Skipped:
    """An entry left out of the history. ``path`` is the entry itself: its directory is real, its last part
    may be a link that cannot be resolved, so it is named rather than resolved."""

    path: Path
    reason: str


@dataclass
class Listing:
    paths: list[Path] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    unreadable: list[LoadError] = field(default_factory=list)


def is_script_name(name: str) -> bool:
    """Alembic's own filter (``_only_source_rev_file``): ``.#name.py`` is an editor's lock file (a dangling
    link), ``__init__*`` is a package marker."""
    return name.endswith(".py") and not name.startswith((".#", "__init__"))


def list_versions(directories: Iterable[Path], recursive: bool = False) -> Listing:
    """The scripts of ``directories`` (each in file-name order; with ``recursive``, their subdirectories too), and
    what was left out. A directory is entered once, known by device and inode; a file is listed once, known by
    its real path as Alembic knows it (not by inode: a directory listing's inodes need not match ``stat``'s on
    an overlay file system, and only links need resolving)."""
    listing = Listing()
    seen_dirs: dict[tuple[int, int], Path] = {}
    real_dirs: dict[Path, str] = {}  # every directory entered -> its real path
    found: list[list[Path]] = []
    # Links to files are judged after every plain file is known: a link to a script listed elsewhere is the
    # alias, whichever name sorts first.
    links: list[tuple[list[Path], os.DirEntry[str], Path]] = []
    for top in directories:
        files: list[Path] = []
        found.append(files)
        pending = [(top, os.path.realpath(top))]
        while pending:
            directory, real = pending.pop()
            entries = _enter(directory, seen_dirs, listing)
            if entries is None:
                continue
            real_dirs[directory] = real
            subdirectories: list[tuple[Path, str]] = []
            for entry in entries:
                script = is_script_name(entry.name)
                if not (script or recursive):
                    continue
                path = directory / entry.name
                try:
                    if entry.is_symlink():
                        if recursive and _is_dir(entry):
                            listing.skipped.append(Skipped(path, f"link to a directory ({_target(path)}); not "
                                                                 "followed, as Alembic does not follow it"))
                        elif script:
                            links.append((files, entry, path))
                    elif entry.is_dir(follow_symlinks=False):
                        if recursive and entry.name != "__pycache__":
                            subdirectories.append((path, os.path.join(real, entry.name)))
                    elif script:
                        if entry.is_file(follow_symlinks=False):
                            files.append(path)  # its real path is unique: no directory is entered twice
                        else:
                            listing.skipped.append(Skipped(path, _not_a_file(entry.stat(follow_symlinks=False))))
                except OSError as exc:  # it vanished or cannot be examined: a script may be a revision
                    if script:
                        listing.unreadable.append(LoadError(message=f"cannot read file: {exc.strerror}", path=path))
            pending.extend(reversed(subdirectories))
    if links:
        seen_files = {os.path.join(real_dirs[p.parent], p.name): p for files in found for p in files}
        for files, entry, path in links:
            _add_link(files, entry, path, seen_files, listing)
    linked = {id(files) for files, _, _ in links}
    for files in found:
        # In path order: files of a directory and its subdirectories interleave by name. One directory's
        # plain files are in name order already.
        listing.paths.extend(sorted(files) if recursive or id(files) in linked else files)
    return listing


def _enter(directory: Path, seen_dirs: dict[tuple[int, int], Path], listing: Listing) -> list[os.DirEntry[str]] | None:
    """The entries of ``directory`` in name order; None when it was entered before or cannot be listed."""
    try:
        info = os.stat(directory)
        key = (info.st_dev, info.st_ino)
        if key in seen_dirs:
            first = seen_dirs[key]
            listing.skipped.append(Skipped(directory, "listed once: " + (
                f"the same directory as {first}" if first != directory else "more than one version location "
                                                                            "includes it")))
            return None
        seen_dirs[key] = directory
        with os.scandir(directory) as scan:
            return sorted(scan, key=lambda e: e.name)
    except OSError as exc:
        listing.unreadable.append(LoadError(message=f"cannot list directory: {exc.strerror}", path=directory))
        return None


def _add_link(files: list[Path], entry: os.DirEntry[str], path: Path, seen_files: dict[str, Path],
              listing: Listing) -> None:
    try:
        info = entry.stat()  # follows the link
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            listing.skipped.append(Skipped(path, "symbolic link loop; not reviewed"))
        elif exc.errno in (errno.ENOENT, errno.ENOTDIR):
            listing.skipped.append(Skipped(path, f"symbolic link to {_target(path)}, which does not exist; "
                                                 "not reviewed"))
        else:  # a link to a file we may not read: a revision all the same, which load_history reports
            files.append(path)
        return
    if stat.S_ISREG(info.st_mode):
        first = seen_files.setdefault(os.path.realpath(path), path)
        if first is path:
            files.append(path)
        else:
            shown = first.name if first.parent == path.parent else str(first)
            listing.skipped.append(Skipped(path, f"the same file as {shown}; reviewed once"))
    elif not stat.S_ISDIR(info.st_mode):  # a link to a directory named *.py: Alembic does not list it either
        listing.skipped.append(Skipped(path, _not_a_file(info)))


def _is_dir(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir()
    except OSError:
        return False


def _target(path: Path) -> str:
    try:
        return os.readlink(path)
    except OSError:
        return "a missing file"


def _not_a_file(info: os.stat_result) -> str:
    kind = ("a FIFO" if stat.S_ISFIFO(info.st_mode) else "a socket" if stat.S_ISSOCK(info.st_mode)
            else "a device" if stat.S_ISCHR(info.st_mode) or stat.S_ISBLK(info.st_mode) else "not a file")
    return f"{kind}, not a regular file; not reviewed"
