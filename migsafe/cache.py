"""The incremental-review cache: what recording produced for each revision, kept on disk so that a review of a
history where one file changed runs that one file, not the whole history.

Layout: ``.migsafe_cache/`` beside the versions directory (or ``--cache-dir``), holding its own ``.gitignore``
and a ``CACHEDIR.TAG`` when migsafe created it, then one directory per *tool key* (format, migsafe's own
source, Python, Alembic, SQLAlchemy and pglast versions): upgrading any of them starts a new directory, and
directories left unused for a week are removed. Which folders may be used, and what may be removed from
them, is :mod:`migsafe.cache_folder`'s job. Inside a tool-key directory:

* ``history.pickle``: revision headers by file content hash, and the last few upgrade orders by graph, so
  that a warm run neither parses 2,000 files nor asks Alembic to order them again;
* ``revisions/<key>.pickle``: one entry per recorded revision;
* ``snapshots/<key>.pickle``: the schema model and transaction state after a whole history (and after all
  but its head revision), with a line per revision: what a warm review reads instead of every entry.

An entry's key is a chain: the hash of the previous revision's key and this file's path and content, started
from everything that changes how the history is recorded (transaction model, stub mode, default schema, the
Alembic configuration file, ``sys.path``). A revision's recording depends on the schema its predecessors
left, so a changed file changes the key of every revision after it. What a key cannot see is checked when the
entry is read: the application modules the recording had imported (their content hashes) and the modules
that were missing then (a stand-in, or a load-error) must be unchanged and still missing. Rule settings are
not in the key: rules run after the cache.

Each entry holds two pickles: a summary read for every revision (its effect on the schema model, the
recorder's transaction state after it, its transaction numbers) and the recording itself (statements with
their pglast trees, operations, notes, source lines), unpickled only when a rule or the report asks for it.
Writes go to a temporary file renamed into place, so concurrent runs never see half an entry; an entry that
cannot be read, or that belongs to another key or format, is ignored and rebuilt.

Why pickle and not JSON: the recording is a graph of migsafe's own dataclasses, pglast nodes and immutable
schema values shared between statements; pickle keeps that sharing and loads a 2,000-revision summary in tens
of milliseconds. Unpickling runs whatever code the bytes name, so every file starts with an HMAC-SHA256 tag
made with the user's key (:mod:`migsafe.cache_key`), checked over the whole file before any of it is
unpickled: :meth:`Cache.read` is the only way bytes come out of the cache.
"""

from __future__ import annotations

import copyreg
import hashlib
import io
import os
import pickle
import queue
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, Callable, Iterable, Mapping

from migsafe import cache_folder
from migsafe.cache_key import KeyUnavailable, load_key, sign, verify
from migsafe.model import LoadError, RecordedRevision, RevisionFile

FORMAT = 4
DIRECTORY_NAME = ".migsafe_cache"
_KEPT_ORDERS = 8
_LAZY = ("statements", "operations", "notes", "source_lines", "downgrade_actions", "stub_calls")


def digest(*parts: object) -> str:
    h = hashlib.blake2b(digest_size=16)
    for part in parts:
        h.update(part if isinstance(part, bytes) else repr(part).encode("utf-8", "surrogatepass"))
        h.update(b"\x00")
    return h.hexdigest()


def _mapping_proxy(mapping: dict[Any, Any]) -> Mapping[Any, Any]:
    return MappingProxyType(mapping)


def dumps(value: object) -> bytes:
    """Pickle, with the read-only mappings of :mod:`migsafe.schema` (not picklable themselves) as dicts."""
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.dispatch_table = copyreg.dispatch_table.copy()  # type: ignore[misc]
    pickler.dispatch_table[MappingProxyType] = lambda proxy: (_mapping_proxy, (dict(proxy),))
    pickler.dump(value)
    return buffer.getvalue()


def tool_key() -> str:
    """Everything outside the project that changes what recording produces. migsafe's own files go in by
    size and modification time, so an edited development checkout never reads a cache its old code wrote."""
    import alembic
    import pglast
    import sqlalchemy

    from migsafe import __version__

    package = Path(__file__).parent
    files = []
    for path in sorted(package.rglob("*.py")):
        try:
            stat = path.stat()
        except OSError:
            continue
        files.append((str(path.relative_to(package)), stat.st_size, stat.st_mtime_ns))
    return digest(FORMAT, __version__, sys.version, alembic.__version__, sqlalchemy.__version__,
                  getattr(pglast, "__version__", ""), files)


class Cache:
    """One tool-key directory of the cache. Every failure to read or write is treated as a miss: a cache must
    never make a review fail.

    Every file is signed with the user's key (see :mod:`migsafe.cache_key`) and read back only when the
    signature holds, so nothing this user's migsafe did not write is ever unpickled. Writes go through one
    background thread: creating and renaming 2,000 small files costs about a second of system calls on a cold
    review, which the thread overlaps with recording (the calls release the GIL). :meth:`flush` waits for
    them."""

    def __init__(self, directory: Path, key: bytes) -> None:
        self.directory = directory
        self._key = key
        self.distrusted = False  # said so on stderr already (once per review)
        self._pending: queue.Queue[tuple[str, bytes] | None] | None = None
        self._writer: threading.Thread | None = None

    @classmethod
    def open(cls, root: Path, protected: Iterable[Path] = ()) -> "Cache | None":
        """The cache under ``root``; None, with one line on stderr, when it may not or cannot be used (see
        :mod:`migsafe.cache_folder`; ``protected``: the project's root and versions directories): the review
        then runs without it."""
        try:
            key = load_key()
            folder = cache_folder.check(root, protected)
            cache_folder.write_markers(folder)
            name = tool_key()
            directory = root / name
            cache_folder.private_directory(directory)
            for sub in ("revisions", "snapshots"):
                cache_folder.private_directory(directory / sub)
            os.utime(directory)
        except (KeyUnavailable, cache_folder.Refused) as exc:
            _warn(f"not using the cache at {root}: {exc}")
            return None
        except OSError as exc:
            _warn(f"not using the cache at {root}: {exc.strerror or exc}")
            return None
        cache_folder.remove_abandoned(root, folder.temporary)
        cache_folder.remove_stale(folder, keep=name)
        try:
            cache_folder.remove_abandoned(directory, os.listdir(directory))
        except OSError:
            pass
        return cls(directory, key)

    def read(self, name: str) -> bytes | None:
        """The bytes of ``name``, when this user's migsafe wrote them (their signature holds); else None. A
        file it did not write is removed (it is written again once recorded), with one line on stderr."""
        try:
            signed = cache_folder.read(self.directory / name)
        except OSError:
            return None
        data = verify(self._key, name, signed)
        if data is None:
            if not self.distrusted:
                self.distrusted = True
                # The same words for every file: a review the worker runs again after a revision that hung
                # (migsafe.worker) finds other such files, and the supervisor says a line only once.
                _warn(f"ignoring cache files in {self.directory} that this user's migsafe did not write "
                      "(not signed with its key); recording them again")
            try:
                os.unlink(self.directory / name)
            except OSError:
                pass
        return data

    def write(self, name: str, data: bytes) -> None:
        if self._writer is None:
            self._pending = queue.Queue()
            self._writer = threading.Thread(target=self._write_pending, name="migsafe-cache-writer", daemon=True)
            self._writer.start()
        assert self._pending is not None
        self._pending.put((name, data))

    def exists(self, name: str) -> bool:
        return (self.directory / name).exists()

    def flush(self) -> None:
        """Wait until everything written so far is on disk (renamed into place)."""
        if self._writer is not None and self._pending is not None:
            self._pending.put(None)
            self._writer.join()
            self._writer = self._pending = None

    def _write_pending(self) -> None:
        assert self._pending is not None
        while (item := self._pending.get()) is not None:
            name, data = item
            try:
                cache_folder.write_atomic(self.directory / name, sign(self._key, name, data), data)
            except OSError:
                pass  # a full disk or a removed directory: the next run records again


def _warn(message: str) -> None:
    print(f"migsafe: {message}", file=sys.stderr)


# -- revision headers and upgrade order -------------------------------------------------------------------------

class HistoryCache:
    """Headers by content hash and upgrade orders by graph, in one small file read once per run."""

    def __init__(self, cache: Cache) -> None:
        self._cache = cache
        self.headers: dict[str, tuple[Any, ...] | None] = {}
        self.orders: dict[str, list[int]] = {}
        self._used: set[str] = set()
        self._dirty = False
        data = cache.read("history.pickle")
        if data is not None:
            try:
                loaded = pickle.loads(data)
                if loaded.get("format") == FORMAT:
                    self.headers, self.orders = dict(loaded["headers"]), dict(loaded["orders"])
            except Exception:  # noqa: BLE001 - a corrupt file is a miss
                self.headers, self.orders = {}, {}

    def header(self, path: Path, content: str) -> RevisionFile | None | bool:
        """The cached header for this content (None: not a revision), or False when unknown."""
        self._used.add(content)
        if content not in self.headers:
            return False
        fields = self.headers[content]
        if fields is None:
            return None
        revision, down, depends, labels, line, spans = fields
        return RevisionFile(path=path, revision=revision, down_revisions=down, depends_on=depends,
                            branch_labels=labels, line=line, digest=content, spans=spans)

    def remember_header(self, content: str, header: RevisionFile | None) -> None:
        self._used.add(content)
        self.headers[content] = None if header is None else (
            header.revision, header.down_revisions, header.depends_on, header.branch_labels, header.line,
            header.spans)
        self._dirty = True

    def order(self, key: str) -> list[int] | None:
        return self.orders.get(key)

    def remember_order(self, key: str, order: list[int]) -> None:
        self.orders.pop(key, None)
        self.orders[key] = order
        while len(self.orders) > _KEPT_ORDERS:
            self.orders.pop(next(iter(self.orders)))
        self._dirty = True

    def save(self) -> None:
        if not self._dirty and set(self.headers) <= self._used:
            return
        headers = {k: v for k, v in self.headers.items() if k in self._used}
        self._cache.write("history.pickle", dumps({"format": FORMAT, "headers": headers, "orders": self.orders}))
        self._cache.flush()


def graph_key(files: Iterable[RevisionFile]) -> str:
    return digest([(str(f.path), f.revision, f.down_revisions, f.depends_on, f.branch_labels) for f in files])


# -- recorded revisions -------------------------------------------------------------------------------------------

@dataclass
class Summary:
    """What every later revision needs from a cached one, without its statements."""

    key: str
    reported: bool  # recorded with line attribution and downgrade evidence (serves a context use too)
    depends: tuple[tuple[str, str | None], ...]  # application module files and their content hashes
    absent: tuple[tuple[str, str | None], ...]  # modules that were missing, and where they are found (None)
    delta: tuple[dict[Any, Any], dict[Any, Any], dict[Any, Any]]  # tables, enums, indexes: name -> new value
    removed: tuple[tuple[Any, ...] | None, ...]  # names gone; None: ``delta`` is the whole mapping
    state: tuple[Any, ...]  # default schema, in transaction, transaction, counter, learned stand-ins
    transactions: frozenset[int]
    error: LoadError | None
    stubbed: tuple[str, ...]
    format: int = FORMAT


class CacheDamaged(Exception):
    """A cached recording could not be read when it was needed (its file was damaged or removed after the run
    chose it). The review is run again without it; :meth:`repair` removes what pointed at it."""

    def __init__(self, entry: Path) -> None:
        super().__init__(f"cache entry {entry} cannot be read")
        self.entry = entry

    def repair(self) -> None:
        for path in [self.entry, *self.entry.parent.parent.joinpath("snapshots").glob("*.pickle")]:
            try:
                path.unlink()
            except OSError:
                continue


class CachedRevision(RecordedRevision):
    """A revision read from the cache: its recording is unpickled on first use, so the revisions that only
    give schema context to a one-file review cost nothing but their place in the history."""

    _transactions: frozenset[int]
    _heavy: bytes | Callable[[], bytes | None] | None
    _entry: Path

    def __getattr__(self, name: str) -> Any:
        if name in _LAZY and self.__dict__.get("_heavy") is not None:
            heavy = self.__dict__["_heavy"]
            data = heavy if isinstance(heavy, bytes) else heavy()
            try:
                loaded = pickle.loads(data) if data is not None else None
            except Exception:  # noqa: BLE001 - damaged after it was chosen: handled below
                loaded = None
            if not isinstance(loaded, dict) or any(lazy not in loaded for lazy in _LAZY):
                raise CacheDamaged(self._entry)
            self.__dict__["_heavy"] = None
            self.__dict__.update(loaded)
            for statement in self.__dict__["statements"]:
                if isinstance(statement.node, str) and statement.node == _REPARSE:
                    statement.node = _parse_tree(statement.sql)
            return self.__dict__[name]
        raise AttributeError(name)

    @property
    def transactions(self) -> frozenset[int]:
        return self._transactions


def revision_from_cache(file: RevisionFile, reported: bool, error: LoadError | None, stubbed: tuple[str, ...],
                        transactions: frozenset[int], heavy: bytes | Callable[[], bytes | None],
                        entry: Path) -> CachedRevision:
    revision = CachedRevision.__new__(CachedRevision)
    revision.__dict__.update(file=file, reported=reported, error=error, stubbed=stubbed, shipping_set=frozenset(),
                             direction="upgrade", downgrade=None, cacheable=True, _transactions=transactions,
                             _heavy=heavy, _entry=entry)
    return revision


def dump_entry(summary: Summary, revision: RecordedRevision) -> bytes | None:
    """The entry's bytes, or None when the recording holds something pickle cannot keep."""
    heavy: dict[str, Any] = {name: getattr(revision, name) for name in _LAZY}
    saved = [(operation, operation.operation) for operation in revision.operations]
    trees = [(statement, statement.node) for statement in revision.statements if statement.node is not None]
    try:
        for operation, _ in saved:
            operation.operation = None  # Alembic's op object may hold application classes; rules do not read it
        for statement, _ in trees:
            # pglast trees are most of the pickling time (pglast pickles node by node in Python); parsing the
            # statement's text again when the recording is read takes about as long as unpickling them would.
            statement.node = _REPARSE
        return dumps(summary) + dumps(heavy)
    except Exception:  # noqa: BLE001 - an exotic object in a recording: just not cached
        return None
    finally:
        for operation, value in saved:
            operation.operation = value
        for statement, node in trees:
            statement.node = node


_REPARSE = "\x00migsafe: parse the statement's text again"


def _parse_tree(sql: str) -> Any:
    """The pglast tree of one statement's text, as the recorder stored it (None if it no longer parses)."""
    from migsafe.sql.parser import parse_sql

    try:
        raw = parse_sql(sql)
    except Exception:  # noqa: BLE001 - it parsed when recorded; never expected
        return None
    return raw[0].stmt if raw else None


def load_entry(data: bytes, key: str) -> tuple[Summary, bytes] | None:
    try:
        stream = io.BytesIO(data)
        summary = pickle.load(stream)
        if not isinstance(summary, Summary) or summary.format != FORMAT or summary.key != key:
            return None
        return summary, data[stream.tell():]
    except Exception:  # noqa: BLE001 - corrupt or from another version: a miss
        return None


@dataclass
class Fingerprints:
    """Content hashes of files, each file read once per run."""

    hashes: dict[str, str | None] = field(default_factory=dict)

    def of(self, path: str) -> str | None:
        if path not in self.hashes:
            try:
                self.hashes[path] = digest(Path(path).read_bytes())
            except OSError:
                self.hashes[path] = None
        return self.hashes[path]
