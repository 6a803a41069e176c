"""Git change detection for ``--changed-since`` and the repository root CI formats make paths relative to.

Only read-only git commands are run (``rev-parse``, ``merge-base``, ``diff``, ``ls-files``), always with the
repository's top level as the working directory.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

from migsafe.errors import UsageError


@dataclass(frozen=True)
class ChangeSet:
    """Files that differ between the merge base of a ref and HEAD, and the working tree."""

    root: Path  # the repository's top level (resolved)
    base: str  # the merge-base commit
    changed: frozenset[Path]  # added, modified, renamed or copied: committed, staged, unstaged or untracked
    added: frozenset[Path]  # the new files among them (not at the merge base): revisions that ship together


class _GitFailed(Exception):
    pass


def _git(args: list[str], cwd: Path) -> str:
    env = {**os.environ, "GIT_OPTIONAL_LOCKS": "0", "LC_ALL": "C"}
    try:
        completed = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, env=env,
                                   timeout=60)
    except FileNotFoundError:
        raise UsageError("--changed-since needs git, and no git command was found") from None
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise _GitFailed(str(exc)) from None
    if completed.returncode != 0:
        raise _GitFailed(completed.stderr.strip().splitlines()[0] if completed.stderr.strip() else "")
    return completed.stdout


def repository_root(directory: Path) -> Path | None:
    """The git top level holding ``directory``, or None outside a repository (or without git)."""
    directory = directory if directory.is_dir() else directory.parent
    try:
        top = _git(["rev-parse", "--show-toplevel"], directory).strip()
    except (_GitFailed, UsageError):
        return None
    return Path(top).resolve() if top else None


def changed_since(ref: str, directory: Path) -> ChangeSet:
    """What changed relative to the merge base of ``ref`` and HEAD, in the repository holding ``directory``.

    Raises :class:`UsageError` (one line) outside a repository, for an unknown ref, or without a merge base.
    """
    directory = directory.resolve()
    try:
        root = Path(_git(["rev-parse", "--show-toplevel"], directory).strip()).resolve()
    except _GitFailed as exc:
        if "not a git repository" in str(exc).lower() or not str(exc):
            raise UsageError(f"--changed-since: {directory} is not inside a git repository") from None
        raise UsageError(f"--changed-since: git failed in {directory}: {exc}") from None
    if not ref or ref.startswith("-"):
        raise UsageError(f"--changed-since: unknown git ref {ref!r}")
    try:
        target = _git(["rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"], root).strip()
    except _GitFailed:
        raise UsageError(f"--changed-since: unknown git ref {ref!r} in {root}") from None
    try:
        _git(["rev-parse", "--verify", "--quiet", "HEAD^{commit}"], root)
    except _GitFailed:
        raise UsageError(f"--changed-since: the repository {root} has no commit yet (HEAD)") from None
    try:
        base = _git(["merge-base", target, "HEAD"], root).strip()
    except _GitFailed:
        raise UsageError(f"--changed-since: {ref!r} and HEAD have no common ancestor") from None
    try:
        # The merge base against the working tree: committed, staged and unstaged changes alike.
        status = _git(["diff", "--name-status", "-z", "-M", "--no-ext-diff", "--no-color", base, "--"], root)
        untracked = _git(["ls-files", "-z", "--others", "--exclude-standard", "--full-name"], root)
    except _GitFailed as exc:
        raise UsageError(f"--changed-since: git failed in {root}: {exc}") from None
    changed: set[Path] = set()
    added: set[Path] = set()
    fields = status.split("\0")
    i = 0
    while i < len(fields) and fields[i]:
        code = fields[i]
        if code[0] in "RC":  # rename or copy: old path, then new path
            new = fields[i + 2]
            i += 3
        else:
            new = fields[i + 1]
            i += 2
        if code[0] == "D":
            continue
        path = (root / new).resolve()
        changed.add(path)
        if code[0] in "AC":
            added.add(path)
    for name in untracked.split("\0"):
        if name:
            path = (root / name).resolve()
            changed.add(path)
            added.add(path)
    return ChangeSet(root=root, base=base, changed=frozenset(changed), added=frozenset(added))


def project_root(paths: list[Path], cwd: Path) -> Path:
    """Where CI formats make paths relative to: the git top level of the reviewed project (found from the
    first path of the report), else the current directory."""
    for path in paths:
        root = repository_root(path.resolve().parent)
        return root if root is not None else cwd.resolve()
    return repository_root(cwd.resolve()) or cwd.resolve()


def relative_path(path: Path, root: Path) -> str:
    """``path`` relative to ``root`` with forward slashes, or absolute when it is outside ``root``."""
    resolved = path.resolve()
    try:
        return resolved.relative_to(root).as_posix()
    except ValueError:
        return resolved.as_posix()
