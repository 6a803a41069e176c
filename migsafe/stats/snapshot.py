"""The stats snapshot file (``migsafe-stats.json``): its dataclasses, and dump / load with validation.

Written by ``migsafe stats``; read by reviews, which must never trust a file blindly: a missing, corrupt or
wrong-version file is a :class:`StatsFileError` whose one-line message names the file and what is wrong, and
the CLI turns it into exit code 2. The checks here are the runtime twin of ``docs/stats.schema.json``
(``jsonschema`` is only a development dependency; a test validates real output against that schema).
Every field is documented in docs/stats.md.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Callable, Mapping, TypeVar

from migsafe.errors import MigsafeError

#: The value of the top-level ``migsafe_stats`` key. Readers refuse any other: a new version may change what
#: a field means, and a review that misread sizes would lower severities it should not.
FORMAT_VERSION = 1
DEFAULT_NAME = "migsafe-stats.json"

KINDS = ("table", "partitioned_table", "materialized_view")
ROWS_SOURCES = ("reltuples", "partitions", "unknown")
SOURCES = ("primary", "standby")

T = TypeVar("T")


class StatsFileError(MigsafeError):
    """A stats file that cannot be used; the message is one line and starts with the file's path."""


@dataclass(frozen=True)
class Activity:
    """How busy a table is, from ``pg_stat_user_tables`` (cumulative since ``Snapshot.stats_reset``). On a
    standby these count only the standby's own reads: writes happen on the primary."""

    n_tup_ins: int
    n_tup_upd: int
    n_tup_del: int
    n_live_tup: int
    seq_scan: int
    idx_scan: int | None  # None: the table has no index
    last_vacuum_or_analyze: str | None  # ISO-8601 UTC; when rows and sizes were last measured (None: never)


@dataclass(frozen=True)
class Partitions:
    """For a partitioned table: how many leaf partitions its sums cover, and how many had no estimate (never
    analysed, or foreign): the sums are then a lower bound."""

    leaves: int
    without_estimate: int


@dataclass(frozen=True)
class Table:
    """One table as the catalog knows it. Sizes are ``relpages`` x block size, so as fresh as the table's last
    VACUUM, ANALYZE (auto or manual) or index build; None when the catalog has never measured it."""

    schema: str
    name: str
    kind: str  # one of KINDS
    rows: int | None
    rows_source: str  # one of ROWS_SOURCES
    table_bytes: int | None  # heap + TOAST (and the TOAST index)
    index_bytes: int | None
    activity: Activity
    partition_of: str | None = None  # "schema.name" of the partitioned table this one is a partition of
    partitions: Partitions | None = None  # set for kind "partitioned_table" only

    @property
    def qualified_name(self) -> str:
        return f"{self.schema}.{self.name}"


@dataclass(frozen=True)
class Skipped:
    """A relation the snapshot has no sizes for, and why."""

    schema: str
    name: str
    reason: str


@dataclass(frozen=True)
class Snapshot:
    taken_at: str  # ISO-8601 UTC, the server's clock
    server_version: str  # "15.18"
    server_version_num: int  # 150018
    source: str  # "primary" or "standby"
    database: str
    stats_reset: str | None  # when this database's activity counters were last reset (None: never)
    tables: tuple[Table, ...] = ()
    skipped: tuple[Skipped, ...] = ()
    migsafe_stats: int = field(default=FORMAT_VERSION)

    def table(self, schema: str, name: str) -> Table | None:
        """The table ``schema.name``, or None when the snapshot does not have it (a review asks once per finding,
        so the lookup is a dictionary built on first use)."""
        return self._by_name.get((schema, name))

    @cached_property
    def _by_name(self) -> dict[tuple[str, str], Table]:
        return {(table.schema, table.name): table for table in self.tables}


# --------------------------------------------------------------------------------------------- writing


def to_dict(snapshot: Snapshot) -> dict[str, Any]:
    """The JSON object, ``migsafe_stats`` first so that a reader (or ``head``) sees the version at once."""
    data = asdict(snapshot)
    version = data.pop("migsafe_stats")
    return {"migsafe_stats": version, **data}


def dump(snapshot: Snapshot) -> str:
    return json.dumps(to_dict(snapshot), indent=2, ensure_ascii=False) + "\n"


def write(snapshot: Snapshot, path: Path) -> None:
    try:
        path.write_text(dump(snapshot), encoding="utf-8")
    except OSError as exc:
        raise StatsFileError(f"{path}: cannot write: {exc.strerror or exc}") from None


# --------------------------------------------------------------------------------------------- reading


def load(path: Path) -> Snapshot:
    """Read and check a snapshot file; any problem is a one-line :class:`StatsFileError` naming ``path``."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise StatsFileError(f"{path}: no such stats file (write one with `migsafe stats`)") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise StatsFileError(f"{path}: cannot read: {getattr(exc, 'strerror', None) or exc}") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise StatsFileError(f"{path}: not JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})") from None
    try:
        return from_dict(data)
    except _Invalid as exc:
        raise StatsFileError(f"{path}: {exc}") from None


class _Invalid(ValueError):
    """What is wrong, with the JSON path of the offending value (``tables[3].rows: ...``)."""


def from_dict(data: object) -> Snapshot:
    """A :class:`Snapshot` from parsed JSON; raises :class:`_Invalid` (use :func:`load` for files)."""
    top = _object(data, "the file")
    if "migsafe_stats" not in top:
        raise _Invalid("not a migsafe stats snapshot (no \"migsafe_stats\" version key)")
    version = top["migsafe_stats"]
    if version != FORMAT_VERSION:
        raise _Invalid(f"snapshot format version {version!r}; this migsafe reads version {FORMAT_VERSION} "
                       "(write it again with this migsafe's `migsafe stats`)")
    _only(top, "", {"migsafe_stats", "taken_at", "server_version", "server_version_num", "source", "database",
                    "stats_reset", "tables", "skipped"})
    return Snapshot(
        taken_at=_get(top, "", "taken_at", _str),
        server_version=_get(top, "", "server_version", _str),
        server_version_num=_get(top, "", "server_version_num", _count),
        source=_get(top, "", "source", _choice(SOURCES)),
        database=_get(top, "", "database", _str),
        stats_reset=_get(top, "", "stats_reset", _nullable(_str)),
        tables=tuple(_table(item, f"tables[{index}]")
                     for index, item in enumerate(_get(top, "", "tables", _list))),
        skipped=tuple(_skipped(item, f"skipped[{index}]")
                      for index, item in enumerate(_get(top, "", "skipped", _list))),
    )


def _table(data: object, where: str) -> Table:
    item = _object(data, where)
    _only(item, where, {"schema", "name", "kind", "rows", "rows_source", "table_bytes", "index_bytes",
                        "activity", "partition_of", "partitions"})
    return Table(
        schema=_get(item, where, "schema", _str),
        name=_get(item, where, "name", _str),
        kind=_get(item, where, "kind", _choice(KINDS)),
        rows=_get(item, where, "rows", _nullable(_count)),
        rows_source=_get(item, where, "rows_source", _choice(ROWS_SOURCES)),
        table_bytes=_get(item, where, "table_bytes", _nullable(_count)),
        index_bytes=_get(item, where, "index_bytes", _nullable(_count)),
        activity=_activity(_get(item, where, "activity", _object), f"{where}.activity"),
        partition_of=_get(item, where, "partition_of", _nullable(_str)),
        partitions=_get(item, where, "partitions", _nullable(_partitions)),
    )


def _activity(item: Mapping[str, object], where: str) -> Activity:
    _only(item, where, {"n_tup_ins", "n_tup_upd", "n_tup_del", "n_live_tup", "seq_scan", "idx_scan",
                        "last_vacuum_or_analyze"})
    return Activity(
        n_tup_ins=_get(item, where, "n_tup_ins", _count),
        n_tup_upd=_get(item, where, "n_tup_upd", _count),
        n_tup_del=_get(item, where, "n_tup_del", _count),
        n_live_tup=_get(item, where, "n_live_tup", _count),
        seq_scan=_get(item, where, "seq_scan", _count),
        idx_scan=_get(item, where, "idx_scan", _nullable(_count)),
        last_vacuum_or_analyze=_get(item, where, "last_vacuum_or_analyze", _nullable(_str)),
    )


def _partitions(data: object, where: str) -> Partitions:
    item = _object(data, where)
    _only(item, where, {"leaves", "without_estimate"})
    return Partitions(leaves=_get(item, where, "leaves", _count),
                      without_estimate=_get(item, where, "without_estimate", _count))


def _skipped(data: object, where: str) -> Skipped:
    item = _object(data, where)
    _only(item, where, {"schema", "name", "reason"})
    return Skipped(schema=_get(item, where, "schema", _str), name=_get(item, where, "name", _str),
                   reason=_get(item, where, "reason", _str))


# --------------------------------------------------------------------------------------------- value checks


def _get(item: Mapping[str, object], where: str, key: str, check: Callable[[object, str], T]) -> T:
    path = f"{where}.{key}" if where else key
    if key not in item:
        raise _Invalid(f"{path}: missing")
    return check(item[key], path)


def _only(item: Mapping[str, object], where: str, keys: set[str]) -> None:
    unknown = sorted(set(item) - keys)
    if unknown:
        raise _Invalid(f"{where + ': ' if where else ''}unknown key {unknown[0]!r}")


def _object(value: object, where: str) -> dict[str, object]:
    if not isinstance(value, dict):
        raise _Invalid(f"{where}: expected an object, got {_kind(value)}")
    return value


def _list(value: object, where: str) -> list[object]:
    if not isinstance(value, list):
        raise _Invalid(f"{where}: expected a list, got {_kind(value)}")
    return value


def _str(value: object, where: str) -> str:
    if not isinstance(value, str):
        raise _Invalid(f"{where}: expected a string, got {_kind(value)}")
    return value


def _count(value: object, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise _Invalid(f"{where}: expected a whole number >= 0, got {json.dumps(value)}")
    return value


def _choice(options: tuple[str, ...]) -> Callable[[object, str], str]:
    def check(value: object, where: str) -> str:
        if value not in options:
            raise _Invalid(f"{where}: expected one of {', '.join(options)}, got {json.dumps(value)}")
        return value  # type: ignore[return-value]

    return check


def _nullable(check: Callable[[object, str], T]) -> Callable[[object, str], T | None]:
    def nullable(value: object, where: str) -> T | None:
        return None if value is None else check(value, where)

    return nullable


def _kind(value: object) -> str:
    return {dict: "an object", list: "a list", str: "a string", bool: "a boolean", type(None): "null"}.get(
        type(value), "a number")
