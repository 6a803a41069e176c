"""Writing a fixed revision file: all of it or nothing, with the file's own mode, never through a link."""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

from migsafe.errors import MigsafeError


class FixWriteError(MigsafeError):
    pass


def write_atomically(path: Path, text: str) -> None:
    """Replace ``path`` by ``text``: written to a temporary file in the same directory, flushed to disk, given
    the old file's mode, then renamed over it. A crash or a full disk leaves the old file whole; a symbolic
    link is refused (the rename would replace the link, not the file it names)."""
    if path.is_symlink():
        raise FixWriteError(f"{path}: is a symbolic link; not rewritten")
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
        descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".migsafe-fix")
    except OSError as exc:
        raise FixWriteError(f"{path}: cannot write: {exc.strerror or exc}") from None
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(text.encode("utf-8"))
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except OSError as exc:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise FixWriteError(f"{path}: cannot write: {exc.strerror or exc}") from None
