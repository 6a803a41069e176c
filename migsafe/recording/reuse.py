"""Recording with the cache: which revisions can be taken from it, and what to store for the others.

:func:`migsafe.recording.runner.record_history` asks :class:`CachedRecording` about every revision in upgrade
order. A revision is taken from the cache while everything before it was (a prefix of the history): its
summary's schema delta and transaction state are applied to the recorder, exactly as if it had run. The
first revision recorded live ends the prefix, because what it leaves behind may differ from what the cached
entries after it assumed (an application module changed, a missing module was installed, the file changed).
The one exception is an entry recorded for schema context only when this run reports the revision: the same
file, in the same state and environment, is recorded again with line attribution, and leaves the same state.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import pickle
import sys
import sysconfig
from dataclasses import dataclass
from itertools import compress
from operator import is_not
from pathlib import Path
from typing import Any, Container, Iterable

from migsafe import cache_folder
from migsafe.cache import (FORMAT, Cache, Fingerprints, Summary, dumps, dump_entry, load_entry,
                           revision_from_cache)
from migsafe.model import LoadError, RecordedRevision, RevisionFile
from migsafe.recording.recorder import Recorder
from migsafe.recording.stubs import missing_module


def _library_roots() -> tuple[str, ...]:
    roots = {sysconfig.get_paths()[key] for key in ("stdlib", "platstdlib", "purelib", "platlib")}
    roots |= {sys.prefix, sys.base_prefix, sys.exec_prefix}
    return tuple(os.path.join(os.path.realpath(r), "") for r in roots if r)


@dataclass(frozen=True)
class Brief:
    """One revision's place in a snapshot: enough to stand in the history without reading its entry."""

    key: str
    reported: bool
    error: LoadError | None
    stubbed: tuple[str, ...]
    transactions: frozenset[int]
    absent: tuple[tuple[str, str | None], ...]


@dataclass
class Snapshot:
    """The recorder after the first ``len(briefs)`` revisions of a history, so that a warm run reads one file
    instead of one entry per revision. Written after the last and the next-to-last revision: the next review
    usually differs from this one by a new head revision, or by an edit to the head."""

    key: str
    briefs: list[Brief]
    depends: tuple[tuple[str, str | None], ...]
    schema: tuple[dict[Any, Any], dict[Any, Any], dict[Any, Any]]
    state: tuple[Any, ...]
    format: int = FORMAT


class CachedRecording:
    def __init__(self, cache: Cache, run_key: str, files: list[RevisionFile]) -> None:
        self._cache = cache
        self._files = Fingerprints()
        keys: list[str] = []
        key = run_key
        for file in files:
            content = file.digest or self._files.of(str(file.path)) or ""
            # Not cache.digest(): that one repr()s its parts for any type; here they are strings already, and
            # this runs once per revision on every review, warm ones included.
            key = hashlib.blake2b(f"{key}\0{file.path}\0{content}".encode("utf-8", "surrogatepass"),
                                  digest_size=16).hexdigest()
            keys.append(key)
        self._keys = keys
        self._reusing = True
        self._briefs: list[Brief | None] = [None] * len(files)
        self._modules_at_start = set(sys.modules)
        self._seen_modules = len(sys.modules)
        self._application: dict[str, str] = {}  # module name -> file, imported since recording started
        # Application files the revisions taken from the cache depended on (they were not imported this time).
        self._inherited: dict[str, str | None] = {}
        self._libraries = _library_roots()
        self.stored = 0

    # -- reading ---------------------------------------------------------------------------------------------
    def resume(self, files: list[RevisionFile], reported: set[str] | None, recorder: Recorder,
               learned: list[str]) -> list[RecordedRevision]:
        """The revisions the newest usable snapshot covers (a prefix of ``files``), with the recorder and
        ``learned`` set to the state after them; [] when there is none."""
        try:
            names = set(os.listdir(self._cache.directory / "snapshots"))
        except OSError:
            return []
        for index in range(len(self._keys) - 1, -1, -1):
            if f"{self._keys[index]}.pickle" not in names:
                continue
            snapshot = self._read_snapshot(self._keys[index])
            if snapshot is None or len(snapshot.briefs) != index + 1:
                continue
            wanted = [reported is None or f.revision in reported for f in files[:index + 1]]
            if any(want and not brief.reported for want, brief in zip(wanted, snapshot.briefs)):
                return []  # a revision reported now was recorded for context only: record from there on
            try:
                present = set(os.listdir(self._cache.directory / "revisions"))
            except OSError:
                return []
            if any(f"{brief.key}.pickle" not in present for brief in snapshot.briefs):
                return []
            if any(self._files.of(path) != content for path, content in snapshot.depends):
                return []
            if any(_module_origin(name) != origin for brief in snapshot.briefs for name, origin in brief.absent):
                return []
            tables, enums, indexes = snapshot.schema
            recorder.schema.tables, recorder.schema.enums, recorder.schema.indexes = (
                dict(tables), dict(enums), dict(indexes))
            self._set_state(snapshot.state, recorder, learned)
            self._briefs[:index + 1] = snapshot.briefs
            self._inherited.update(snapshot.depends)
            return [revision_from_cache(file, want, brief.error, brief.stubbed, brief.transactions,
                                        self._entry_reader(brief.key), self._entry_path(brief.key))
                    for file, want, brief in zip(files, wanted, snapshot.briefs)]
        return []

    def _read_snapshot(self, key: str) -> Snapshot | None:
        data = self._cache.read(f"snapshots/{key}.pickle")
        try:
            snapshot = pickle.loads(data) if data is not None else None
        except Exception:  # noqa: BLE001 - corrupt: a miss
            return None
        if not isinstance(snapshot, Snapshot) or snapshot.format != FORMAT or snapshot.key != key:
            return None
        return snapshot

    def _entry_path(self, key: str) -> Path:
        return self._cache.directory / "revisions" / f"{key}.pickle"

    def _entry_reader(self, key: str) -> Any:
        def read() -> bytes | None:
            data = self._cache.read(f"revisions/{key}.pickle")
            entry = load_entry(data, key) if data is not None else None
            return entry[1] if entry is not None else None
        return read

    def lookup(self, index: int, file: RevisionFile, reported: bool, recorder: Recorder,
               learned: list[str]) -> RecordedRevision | None:
        """The cached recording of this revision, with its effect applied to ``recorder`` and ``learned``; None
        when it must be recorded (then call :meth:`store` after recording it)."""
        if not self._reusing:
            return None
        key = self._keys[index]
        data = self._cache.read(f"revisions/{key}.pickle")
        entry = load_entry(data, key) if data is not None else None
        if entry is None or not self._still_valid(entry[0]):
            self._reusing = False
            return None
        summary, heavy = entry
        if reported and not summary.reported:
            return None  # recorded again with lines; the state it leaves is the same, so the prefix goes on
        _apply(summary, recorder)
        self._set_state(summary.state, recorder, learned)
        self._briefs[index] = _brief(summary)
        self._inherited.update(summary.depends)
        return revision_from_cache(file, reported, summary.error, summary.stubbed, summary.transactions, heavy,
                                   self._entry_path(key))

    @property
    def reusing(self) -> bool:
        """Whether revisions are still taken from the cache (a prefix of the history)."""
        return self._reusing

    def _still_valid(self, summary: Summary) -> bool:
        if any(self._files.of(path) != content for path, content in summary.depends):
            return False
        return all(_module_origin(name) == origin for name, origin in summary.absent)

    @staticmethod
    def _set_state(state: tuple[Any, ...], recorder: Recorder, learned: list[str]) -> None:
        (recorder.default_schema, recorder.in_transaction, recorder.transaction, recorder._transaction_counter,
         recorder.driver_state, names) = state
        learned[:] = list(names)

    @staticmethod
    def state(recorder: Recorder, learned: list[str]) -> tuple[Any, ...]:
        return (recorder.default_schema, recorder.in_transaction, recorder.transaction,
                recorder._transaction_counter, recorder.driver_state, tuple(learned))

    # -- writing ---------------------------------------------------------------------------------------------
    def store(self, index: int, rec: RecordedRevision, before: tuple[Any, ...], recorder: Recorder,
              learned: list[str], failure: BaseException | None) -> None:
        if not rec.cacheable or (rec.error is not None and rec.error.transient):
            return
        key = self._keys[index]
        missing = [*rec.stubbed]
        name = missing_module(failure) if failure is not None and rec.error is not None else None
        if name is not None:
            missing.append(name)
        delta, removed = _delta(before, recorder)
        summary = Summary(
            key=key, reported=rec.reported, depends=self._dependencies(),
            absent=tuple((name, _module_origin(name)) for name in dict.fromkeys(missing)),
            delta=delta, removed=removed, state=self.state(recorder, learned),
            transactions=rec.transactions, error=rec.error, stubbed=rec.stubbed)
        if not summary.reported:
            existing = self._cache.read(f"revisions/{key}.pickle")
            found = load_entry(existing, key) if existing is not None else None
            if found is not None and found[0].reported and found[0].depends == summary.depends:
                self._briefs[index] = _brief(found[0])
                return  # keep the more detailed entry
        data = dump_entry(summary, rec)
        if data is not None:
            self._cache.write(f"revisions/{key}.pickle", data)
            self._briefs[index] = _brief(summary)
            self.stored += 1

    def finish(self, recorder: Recorder, learned: list[str], before_last: tuple[Any, ...] | None,
               state_before_last: tuple[Any, ...] | None) -> None:
        """Write the snapshots after the last and the next-to-last revision, and prune."""
        count = len(self._keys)
        points = [(count, (recorder.schema.tables, recorder.schema.enums, recorder.schema.indexes),
                   self.state(recorder, learned))]
        if before_last is not None and state_before_last is not None and count > 1:
            points.append((count - 1, before_last[:3], state_before_last))
        for size, schema, state in points:
            briefs = self._briefs[:size]
            key = self._keys[size - 1]
            if any(b is None for b in briefs):
                continue
            if self.stored == 0 and self._cache.exists(f"snapshots/{key}.pickle"):
                continue  # nothing new: the snapshot there describes the same entries
            snapshot = Snapshot(key=key, briefs=briefs, depends=self._dependencies(),  # type: ignore[arg-type]
                                schema=(dict(schema[0]), dict(schema[1]), dict(schema[2])), state=state)
            try:
                data = dumps(snapshot)
            except Exception:  # noqa: BLE001 - not cacheable: the per-revision entries still serve
                continue
            self._cache.write(f"snapshots/{key}.pickle", data)
        self._cache.flush()
        self._prune()

    def _dependencies(self) -> tuple[tuple[str, str | None], ...]:
        """Application modules imported since recording began (by this revision or an earlier one: a revision
        may use what another imported), with their content hashes. Libraries and the standard library are
        covered by the tool key (Alembic, SQLAlchemy) or assumed stable."""
        if len(sys.modules) != self._seen_modules:
            self._seen_modules = len(sys.modules)
            self.adopt(imported_since(self._modules_at_start, self._application))
        found = dict(self._inherited)
        found.update((path, self._files.of(path)) for path in self._application.values())
        return tuple(sorted(found.items()))

    def adopt(self, modules: Iterable[tuple[str, str]]) -> None:
        """Count these modules (name, file) as imported by the revisions so far: the ones a revision recorded in
        another process imported (see recording.tail). Library modules are left out."""
        for name, filename in modules:
            if name in self._application:
                continue
            real = os.path.realpath(filename)
            if real.startswith(self._libraries) or "site-packages" in real or "dist-packages" in real:
                continue
            self._application[name] = real

    def _prune(self) -> None:
        """Keep this history's entries; drop others (old versions of edited revisions, other settings) beyond
        a few histories' worth, oldest first, and all but the newest snapshots; and temporary files of runs
        that were killed. Only names migsafe writes are touched."""
        used = {f"{key}.pickle" for key in self._keys}
        for folder, keep in (("revisions", 2 * len(used) + 100), ("snapshots", 8)):
            directory = self._cache.directory / folder
            try:
                names = os.listdir(directory)
            except OSError:
                continue
            cache_folder.remove_abandoned(directory, names)
            others = [directory / name for name in names if name not in used and cache_folder.is_entry_name(name)]
            if len(others) <= keep:
                continue
            others.sort(key=_mtime)
            for path in others[: len(others) - keep]:
                try:
                    path.unlink()
                except OSError:
                    continue


def imported_since(start: Container[str], known: Container[str] = ()) -> list[tuple[str, str]]:
    """(name, file) of the modules in ``sys.modules`` in neither ``start`` nor ``known``, leaving out revision
    modules and stand-ins for missing ones."""
    found = []
    for name, module in list(sys.modules.items()):
        if name in start or name in known or name.startswith("_migsafe_rev_"):
            continue
        filename = getattr(module, "__file__", None)
        if filename and not getattr(module, "__migsafe_stub__", False):
            found.append((name, filename))
    return found


def _brief(summary: Summary) -> Brief:
    return Brief(key=summary.key, reported=summary.reported, error=summary.error, stubbed=summary.stubbed,
                 transactions=summary.transactions, absent=summary.absent)


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


def _module_origin(name: str) -> str | None:
    """Where ``name`` would be imported from now (file, size, mtime), None when it cannot be: a module that
    was missing must still be missing, and one that was too old must be the same file."""
    try:
        spec = importlib.util.find_spec(name)
    except Exception:  # noqa: BLE001 - a parent package that fails to import: still not importable
        return None
    if spec is None or getattr(spec.loader, "__class__", type(None)).__name__ == "StubFinder":
        return None
    origin = spec.origin or ""
    try:
        stat = os.stat(origin)
        return f"{origin}:{stat.st_size}:{stat.st_mtime_ns}"
    except OSError:
        return origin


def _delta(before: tuple[Any, ...], recorder: Recorder) -> tuple[tuple[dict[Any, Any], ...], tuple[Any, ...]]:
    """What the revision changed in the schema model. Values are immutable and replaced on change, so
    identity tells changed from unchanged. Order matters too (reflection lists tables in it): when a name was
    removed, or dropped and created again (it moved to the end), the whole mapping is stored (removed: None).

    Written to run in C (list comparison, map/compress): names hash in Python, and a loop over every table
    and index of a large schema, once per revision, was most of the cost of writing the cache."""
    changed: list[dict[Any, Any]] = []
    removed: list[tuple[Any, ...] | None] = []
    for old, new in zip(before[:3], (recorder.schema.tables, recorder.schema.enums, recorder.schema.indexes)):
        old_names, new_names = list(old), list(new)
        if new_names[:len(old_names)] != old_names:
            changed.append(dict(new))
            removed.append(None)
            continue
        names = list(compress(old_names, map(is_not, new.values(), old.values())))
        names += new_names[len(old_names):]
        changed.append({name: new[name] for name in names})
        removed.append(())
    return (changed[0], changed[1], changed[2]), (removed[0], removed[1], removed[2])


def _apply(summary: Summary, recorder: Recorder) -> None:
    schema = recorder.schema
    for target, changed, removed in zip((schema.tables, schema.enums, schema.indexes), summary.delta,
                                        summary.removed):
        if removed is None:
            target.clear()
        for name in removed or ():
            target.pop(name, None)
        target.update(changed)
