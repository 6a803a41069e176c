"""Find revision scripts and put them in the order Alembic would run them.

Revision identifiers are read from the file's text (plain one-line assignments) or its syntax tree rather than
by importing it, so a revision whose import fails still has its place in the graph (and its neighbours keep
their schema context). Ordering uses
Alembic's own :class:`~alembic.script.revision.RevisionMap`; where Alembic gives up (a missing parent raises a
bare ``KeyError``, duplicate ids are silently collapsed, cycles raise) we order what we can ourselves and say
what was wrong.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Iterable

from migsafe.listing import list_versions
from migsafe.model import LoadError, RevisionFile
from migsafe.recording.source import statement_spans

if TYPE_CHECKING:
    from migsafe.cache import HistoryCache

_HEADER_NAMES = {"revision", "down_revision", "depends_on", "branch_labels"}


@dataclass
class History:
    files: list[RevisionFile]  # in upgrade order
    problems: list[LoadError] = field(default_factory=list)
    unreadable: list[LoadError] = field(default_factory=list)

    def ancestors(self, revision: str) -> set[str]:
        parents = {f.revision: f.down_revisions + f.depends_on for f in self.files if f.revision}
        seen: set[str] = set()
        stack = list(parents.get(revision, ()))
        while stack:
            rev = stack.pop()
            if rev in seen:
                continue
            seen.add(rev)
            stack.extend(parents.get(rev, ()))
        return seen


def list_revision_files(directories: Iterable[Path], recursive: bool = False) -> list[Path]:
    """The revision scripts of ``directories``; what :func:`migsafe.listing.list_versions` leaves out and why
    is dropped here (the review reports it)."""
    return list_versions(directories, recursive).paths


def read_header(path: Path, data: bytes | None = None) -> RevisionFile | LoadError | None:
    """Read revision identifiers from a file; None for a Python file that is not a revision at all."""
    if data is None:
        try:
            data = path.read_bytes()
        except OSError as exc:
            return LoadError(message=f"cannot read file: {exc.strerror}", path=path, line=1)
    try:
        source = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return LoadError(message=f"file is not valid UTF-8 (byte 0x{data[exc.start]:02x})", path=path, line=line)
    found = _plain_header(path, source)
    if found is not None:
        return found
    try:
        tree = ast.parse(source, filename=str(path))
    except SyntaxError as exc:
        return LoadError(message=f"SyntaxError: {exc.msg}", path=path, line=exc.lineno or 1)
    values: dict[str, object] = {}
    lines: dict[str, int] = {}
    for node in tree.body:
        targets: list[ast.expr] = []
        value: ast.expr | None = None
        if isinstance(node, ast.Assign):
            targets, value = node.targets, node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            targets, value = [node.target], node.value
        for target in targets:
            if isinstance(target, ast.Name) and target.id in _HEADER_NAMES and value is not None:
                try:
                    values[target.id] = ast.literal_eval(value)
                except ValueError:
                    values[target.id] = _NOT_LITERAL
                lines[target.id] = node.lineno
    has_upgrade = any(isinstance(n, ast.FunctionDef) and n.name == "upgrade" for n in tree.body)
    if "revision" not in values:
        if has_upgrade:
            return LoadError(message="revision script has no `revision = \"...\"` identifier", path=path, line=1)
        return None
    revision = values["revision"]
    if not isinstance(revision, str) or not revision:
        return LoadError(message="`revision` must be a non-empty string literal", path=path,
                         line=lines["revision"])
    return RevisionFile(
        path=path,
        revision=revision,
        down_revisions=_as_tuple(values.get("down_revision")),
        depends_on=_as_tuple(values.get("depends_on")),
        branch_labels=_as_tuple(values.get("branch_labels")),
        line=lines["revision"],
        spans=statement_spans(tree),
    )


_NOT_LITERAL = object()

# A header assignment on one line at the top level: `revision = "ab12"`, `down_revision: str | None = None`.
_HEADER_LINE = re.compile(r"^(revision|down_revision|depends_on|branch_labels)[ \t]*(?::[^=\n]*)?=[ \t]*(.*)$", re.M)
# Any top-level line assigning one of those names, however written (`a = revision = ...`, tuples).
_ANY_HEADER_ASSIGNMENT = re.compile(
    r"^(?:[^\s#][^\n]*?)?\b(?:revision|down_revision|depends_on|branch_labels)\b[ \t]*(?::[^=\n]*)?=(?!=)", re.M)


def _plain_header(path: Path, source: str) -> RevisionFile | None:
    """The header, when every header name is assigned once, on one top-level line, to a literal, outside any
    triple-quoted string; None for anything else (the syntax tree decides).

    The syntax tree of 2,000 revisions costs half a second before the first one can run (Alembic imports them
    instead). Without it, the lines of each revision's statements are computed when it is recorded (see
    ``runner.run_upgrade``), where they are needed, and a syntax error further down the file is found when the
    revision is imported: a load-error like one read here, and the file keeps its place in the graph."""
    values: dict[str, object] = {}
    line = 0
    matches = list(_HEADER_LINE.finditer(source))
    if len(matches) != len(_ANY_HEADER_ASSIGNMENT.findall(source)):
        return None
    for match in matches:
        name = match.group(1)
        before = source[: match.start()]
        if name in values or before.count('"""') % 2 or before.count("'''") % 2:
            return None
        try:
            values[name] = ast.literal_eval(match.group(2))
        except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
            return None
        if name == "revision":
            line = before.count("\n") + 1
    revision = values.get("revision")
    if not isinstance(revision, str) or not revision:
        return None
    return RevisionFile(path=path, revision=revision, down_revisions=_as_tuple(values.get("down_revision")),
                        depends_on=_as_tuple(values.get("depends_on")),
                        branch_labels=_as_tuple(values.get("branch_labels")), line=line)


def _as_tuple(value: object) -> tuple[str, ...]:
    if value is None or value is _NOT_LITERAL:
        return ()
    if isinstance(value, str):
        return (value,) if value else ()
    if isinstance(value, (list, tuple, set, frozenset)):
        return tuple(str(v) for v in value if v)
    return ()


def load_history(paths: list[Path], cache: HistoryCache | None = None) -> History:
    """The revisions in upgrade order. With a cache, a file whose content was seen before is not parsed
    again, and a graph seen before is not ordered again."""
    from migsafe.cache import digest, graph_key

    files: list[RevisionFile] = []
    unreadable: list[LoadError] = []
    for path in paths:
        try:
            data = path.read_bytes()
        except OSError as exc:
            unreadable.append(LoadError(message=f"cannot read file: {exc.strerror}", path=path, line=1))
            continue
        content = digest(data)
        header = cache.header(path, content) if cache is not None else False
        if header is False:
            header = read_header(path, data)
            if cache is not None and not isinstance(header, LoadError):
                cache.remember_header(content, header)
        if header is None:
            continue
        if isinstance(header, LoadError):
            unreadable.append(header)
        else:
            header.digest = content
            files.append(header)
    # An order is cached only for a graph without problems: the same graph needs no checking again.
    key = graph_key(files) if cache is not None else ""
    known = cache.order(key) if cache is not None else None
    if known is not None and sorted(known) == list(range(len(files))):
        return History(files=[files[i] for i in known], problems=[], unreadable=unreadable)
    problems = _graph_problems(files)
    if not problems:
        try:
            ordered = _alembic_order(files)
            if cache is not None:
                position = {id(f): i for i, f in enumerate(files)}
                cache.remember_order(key, [position[id(f)] for f in ordered])
        except Exception as exc:  # Alembic found something we did not: fall back, and say so
            problems.append(LoadError(message=f"Alembic could not order the revisions: {_one_line(exc)}",
                                      kind="graph"))
            ordered = _own_order(files)
    else:
        ordered = _own_order(files)
    return History(files=ordered, problems=problems, unreadable=unreadable)


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0]}" if text else type(exc).__name__


def _alembic_order(files: list[RevisionFile]) -> list[RevisionFile]:
    from alembic.script.revision import Revision, RevisionMap

    by_id = {f.revision: f for f in files}

    def generator() -> list[Revision]:
        return [
            Revision(f.revision, f.down_revisions or None, dependencies=f.depends_on or None,
                     branch_labels=f.branch_labels or None)
            for f in files
        ]

    revmap = RevisionMap(generator)
    if not files:
        return []
    walked = revmap.iterate_revisions("heads", "base", inclusive=True, assert_relative_length=False)
    ordered = [by_id[r.revision] for r in reversed(list(walked))]
    if len(ordered) != len(files):  # never expected; do not lose revisions if it happens
        raise RuntimeError(f"Alembic walked {len(ordered)} of {len(files)} revisions")
    return ordered


def _graph_problems(files: list[RevisionFile]) -> list[LoadError]:
    problems: list[LoadError] = []
    seen: dict[str, RevisionFile] = {}
    for f in files:
        assert f.revision is not None
        if f.revision in seen:
            problems.append(LoadError(
                message=f"duplicate revision id {f.revision!r} (also in {seen[f.revision].path.name}); "
                        "both files are reviewed, in file-name order",
                path=f.path, line=f.line, revision=f.revision, kind="graph"))
        else:
            seen[f.revision] = f
    for f in files:
        for parent in f.down_revisions + f.depends_on:
            if parent not in seen:
                problems.append(LoadError(
                    message=f"parent revision {parent!r} is not in this history; "
                            f"{f.revision!r} is reviewed as if its parent's tables all exist",
                    path=f.path, line=f.line, revision=f.revision, kind="graph"))
    cyclic = _cycle_members(files, seen)
    for f in files:
        if f.revision in cyclic:
            problems.append(LoadError(
                message=f"revision {f.revision!r} is part of a cycle in down_revision; "
                        "cycle members are reviewed in file-name order",
                path=f.path, line=f.line, revision=f.revision, kind="graph"))
    return problems


def _cycle_members(files: list[RevisionFile], by_id: dict[str, RevisionFile]) -> set[str]:
    order = _kahn(files)
    placed = {id(f) for f in order[0]}
    return {f.revision for f in files if id(f) not in placed and f.revision}


def _kahn(files: list[RevisionFile]) -> tuple[list[RevisionFile], list[RevisionFile]]:
    """Topological order; returns (ordered, left over because of cycles). Ties break by file path."""
    ids = {f.revision for f in files}
    indegree: dict[int, int] = {}
    children: dict[str, list[RevisionFile]] = {}
    for f in files:
        parents = {p for p in f.down_revisions + f.depends_on if p in ids and p != f.revision}
        indegree[id(f)] = len(parents)
        for p in parents:
            children.setdefault(p, []).append(f)
    ready = sorted((f for f in files if indegree[id(f)] == 0), key=lambda f: str(f.path))
    ordered: list[RevisionFile] = []
    done_ids: set[str] = set()
    while ready:
        f = ready.pop(0)
        ordered.append(f)
        if f.revision in done_ids:  # a duplicate id: its children were already released
            continue
        done_ids.add(f.revision)  # type: ignore[arg-type]
        for child in children.get(f.revision, ()):  # type: ignore[arg-type]
            indegree[id(child)] -= 1
            if indegree[id(child)] == 0:
                ready.append(child)
                ready.sort(key=lambda x: str(x.path))
    placed = {id(f) for f in ordered}
    return ordered, [f for f in files if id(f) not in placed]


def _own_order(files: list[RevisionFile]) -> list[RevisionFile]:
    ordered, left = _kahn(files)
    return ordered + sorted(left, key=lambda f: str(f.path))
