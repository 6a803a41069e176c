"""Read the subfolders of a versions directory the user pointed at.

A bare versions directory says nothing about how Alembic is told to read it: Neutron's env.py adds its release
folders (``versions/2024.1/expand``...) as version locations in code, and Prefect's env.py picks
``versions/postgresql`` or ``versions/sqlite`` by the database it connects to. Reading only the top level skips
those revisions without a word. So the subfolders are read as Alembic's ``recursive_version_locations`` would,
unless they are alternative chains of one history for different databases: then only PostgreSQL's is a history
migsafe can review, and when none is evidently PostgreSQL's, the user has to say which.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from migsafe.errors import UsageError
from migsafe.listing import list_versions
from migsafe.model import Note, RevisionFile

_POSTGRES_NAMES = frozenset({"postgresql", "postgres", "pg"})
# Folder names that say "this chain is for that database" (SQLAlchemy's dialect names and their usual short forms).
_DIALECT_NAMES = _POSTGRES_NAMES | frozenset({"sqlite", "mysql", "mariadb", "mssql", "sqlserver", "oracle", "psql",
                                              "cockroachdb", "duckdb", "redshift", "snowflake"})

_DEPTH = 1  # how far below a subfolder revisions are looked for (versions/<release>/<branch>/*.py)


@dataclass
class Layout:
    chosen: Path  # the directory to read recursively: the versions directory, or its PostgreSQL subfolder
    note: Note


def env_py_beside(versions: Path) -> Path | None:
    """The env.py of the script directory holding ``versions``: beside it, or beside the enclosing ``versions``
    directory when the user pointed at one of its subfolders (``versions/postgresql``)."""
    candidates = [versions.parent] + [a.parent for a in versions.parents if a.name == "versions"][:1]
    for directory in candidates:
        if (directory / "env.py").is_file():
            return directory / "env.py"
    return None


def has_revision_subfolders(directory: Path) -> bool:
    """Whether a subfolder of ``directory`` holds a revision script (a directory holding only subfolders)."""
    return any(_revisions(sub) for sub in _subfolders(directory))


def read_subfolders(versions: Path) -> Layout | None:
    """How to read ``versions`` with its subfolders; None when no subfolder holds a revision, or when its own
    top holds Python but no revision (a package or a project root, not a versions directory)."""
    # Subfolders first: reading every header at the top costs a third of a second on a 2,000-revision history,
    # which the usual flat versions directory must not pay.
    groups = {sub.name: revisions for sub in _subfolders(versions) if (revisions := _revisions(sub))}
    if not groups:
        return None
    top = _revisions(versions, depth=0)
    if not top and _other_python(versions):
        return None
    names = sorted(groups)
    count = sum(len(r) for r in groups.values())
    reason = _alternatives(groups, top=top)
    if reason is None:
        return Layout(chosen=versions, note=Note(kind="layout", path=versions, message=(
            f"read {count} revision file{'s' if count != 1 else ''} in subfolders ({', '.join(names)}) too, as "
            "Alembic's recursive_version_locations does")))
    postgres = [name for name in names if name.lower() in _POSTGRES_NAMES]
    listed = ", ".join(names)
    if len(postgres) != 1:
        raise UsageError(f"{versions}: subfolders {listed} hold alternative migration chains ({reason}) and none "
                         f"is evidently PostgreSQL's; pass the one to review, e.g. migsafe review "
                         f"{versions / names[0]}")
    others = [n for n in names if n != postgres[0]]
    return Layout(chosen=versions / postgres[0], note=Note(kind="layout", path=versions, message=(
        f"subfolders {listed} hold alternative migration chains ({reason}); reviewed {postgres[0]}, PostgreSQL's "
        f"(pass the {' or '.join(others)} subfolder to review another)")))


def _alternatives(groups: dict[str, list[RevisionFile]], top: list[RevisionFile]) -> str | None:
    """Why the subfolders are alternatives to each other rather than parts of one history, or None."""
    if len(groups) < 2:
        return None
    owner: dict[str, str] = {}
    for name, revisions in sorted(groups.items()):
        for revision in revisions:
            if owner.setdefault(revision.revision, name) != name:
                return f"{owner[revision.revision]} and {name} share revision ids"
    dialects = all(name.lower() in _DIALECT_NAMES for name in groups)
    own_bases = all(any(not r.down_revisions for r in revisions) for revisions in groups.values())
    if dialects and own_bases and not top:
        return "each has its own base and is named for a database"
    return None


def _subfolders(directory: Path) -> list[Path]:
    """Subdirectories that may hold revisions: not links (Alembic does not follow them), caches or hidden
    directories (a virtual environment, .git)."""
    try:
        return sorted(p for p in directory.iterdir()
                      if p.is_dir() and not p.is_symlink() and p.name != "__pycache__" and not p.name.startswith("."))
    except OSError:
        return []


def _revisions(directory: Path, depth: int = _DEPTH) -> list[RevisionFile]:
    """The revisions in ``directory`` and its subfolders down to ``depth`` levels: release folders nest two
    deep (``2024.1/expand``); a search bounded so that a project root costs little."""
    from migsafe.revisions import read_header  # revisions orders histories; only its header reader is needed

    found = [header for path in list_versions([directory]).paths
             if isinstance(header := read_header(path), RevisionFile)]
    if depth > 0:
        for sub in _subfolders(directory):
            found += _revisions(sub, depth - 1)
    return found


def _other_python(directory: Path) -> bool:
    """Whether ``directory`` holds a Python script that is not a revision (env.py aside)."""
    from migsafe.revisions import read_header

    return any(path.name != "env.py" and read_header(path) is None
               for path in list_versions([directory]).paths)
