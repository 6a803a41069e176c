"""Whether a fixed revision file still loads as the same revision: compiles, same identifiers."""

from __future__ import annotations

from pathlib import Path

from migsafe.model import RevisionFile
from migsafe.revisions import read_header


def reload_problem(path: Path, before: str, after: str) -> str | None:
    """Why ``after`` would not load as ``before`` did (None: it would). A fix that broke the file, or moved it
    in the history, must never be written; recording it again is left to the review after writing, which the
    command line runs."""
    try:
        compile(after, str(path), "exec", dont_inherit=True)
    except (SyntaxError, ValueError) as exc:
        return f"{type(exc).__name__}: {exc}"
    old, new = read_header(path, before.encode("utf-8")), read_header(path, after.encode("utf-8"))
    if not isinstance(new, RevisionFile) or not isinstance(old, RevisionFile):
        return "its revision identifiers could not be read back" if isinstance(old, RevisionFile) else None
    for name in ("revision", "down_revisions", "depends_on", "branch_labels"):
        if getattr(old, name) != getattr(new, name):
            return f"{name} would change from {getattr(old, name)!r} to {getattr(new, name)!r}"
    return None
