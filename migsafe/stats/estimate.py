"""How long a blocking phase takes on a table of a given size: throughputs per operation kind, and ranges.

A review knows, from the stats snapshot, how many rows and bytes a table holds; this module turns that into
"about 3-6 min" for the operations whose cost grows with the table (rewrites, full scans, constraint
validation, btree builds, UPDATE back-fills). The throughputs are measured, not guessed:
``benchmarks/throughputs.py`` times each operation on a throwaway cluster with production durability (fsync,
synchronous_commit and full_page_writes on) and the defaults below are its numbers on the reference machine
(docs/stats.md, "Estimates"). Another machine, disk or configuration differs by a factor, so an estimate is a
range (:data:`LOW_FACTOR` .. :data:`HIGH_FACTOR` of the point value), never a single figure.

:class:`Throughputs` is a plain dataclass with :meth:`Throughputs.from_dict`, so that a later
``migsafe calibrate`` can write the numbers of the user's own server into a file and reviews load them instead.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Mapping

MB = 1024 * 1024

#: The range around a point estimate: an operation measured at 90 MB/s here may run at half that on a busy
#: production disk, or twice as fast on NVMe. Wider than the run-to-run spread of the benchmark (about +-20%).
LOW_FACTOR = 0.5
HIGH_FACTOR = 2.0

#: Bytes one btree entry of a plain integer index takes on disk (a 16-byte index tuple and its 4-byte line
#: pointer, at the default 90% fill factor): turns a table's index bytes into "how many index entries a
#: REINDEX TABLE rebuilds" when the snapshot gives only the total.
INDEX_BYTES_PER_ENTRY = 24


@dataclass(frozen=True)
class Throughputs:
    """Work per second for each kind of blocking phase, and where the numbers come from (``source`` is shown
    in every estimate's ``basis``)."""

    rewrite_mb_s: float  # table + indexes rewritten (ALTER COLUMN TYPE, VACUUM FULL, ...), MB/s
    seq_scan_mb_s: float  # heap read by a full scan (SET NOT NULL), MB/s
    check_validation_rows_s: float  # rows checked by a CHECK constraint's validation
    fk_validation_rows_s: float  # rows checked by a FOREIGN KEY's validation (one lookup each)
    btree_build_rows_s: float  # rows indexed by CREATE INDEX / a UNIQUE constraint's index, per index
    update_backfill_rows_s: float  # rows updated by a whole-table UPDATE in one transaction
    source: str = "built-in defaults"

    @classmethod
    def from_dict(cls, data: Mapping[str, object], where: str) -> "Throughputs":
        """From a calibration file's object; ``where`` names the file in the :class:`ValueError` for bad input."""
        values: dict[str, object] = {}
        for item in fields(cls):
            if item.name == "source":
                values["source"] = str(data.get("source", where))
                continue
            value = data.get(item.name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
                raise ValueError(f"{where}: {item.name} must be a positive number, got {value!r}")
            values[item.name] = float(value)
        return cls(**values)  # type: ignore[arg-type]

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


#: Measured with ``python benchmarks/throughputs.py --rows 100000 --rows 1000000 --runs 3`` on the reference
#: machine (docs/stats.md, "Estimates": 2 cores, PostgreSQL 15.18, fsync on, 2026-12-07): the 10^6-row column,
#: rounded down to two significant digits. The benchmark's table is in memory when it is scanned; a table larger
#: than the server's RAM is read from disk and scans and validations can be slower than the range says.
DEFAULT_THROUGHPUTS = Throughputs(
    rewrite_mb_s=140.0,
    seq_scan_mb_s=2700.0,
    check_validation_rows_s=25_000_000.0,
    fk_validation_rows_s=13_000_000.0,
    btree_build_rows_s=3_300_000.0,
    update_backfill_rows_s=320_000.0,
    source="built-in defaults, docs/stats.md",
)

#: Operation kinds a sized finding's blocking phase is made of (migsafe/stats/sizing.py picks one per rule).
KINDS = ("rewrite", "scan", "check", "fk", "index", "reindex-table", "backfill")


@dataclass(frozen=True)
class TableSize:
    """A finding's table as the stats snapshot has it. JSON gives ``bytes`` (heap + TOAST + indexes: what a
    rewrite copies) and the split; any of them None when the catalog never measured the table."""

    rows: int | None
    table_bytes: int | None
    index_bytes: int | None

    @property
    def bytes(self) -> int | None:
        if self.table_bytes is None:
            return None
        return self.table_bytes + (self.index_bytes or 0)

    def words(self) -> str:
        """"41 M rows, 18 GB": rows, then table + indexes."""
        rows = "rows unknown" if self.rows is None else f"{pretty_count(self.rows)} row{'s' if self.rows != 1 else ''}"
        return rows if self.bytes is None else f"{rows}, {pretty_bytes(self.bytes)}"


@dataclass(frozen=True)
class Estimate:
    """How long the blocking phase takes, as a range; ``basis`` says what it was computed from."""

    seconds_low: float
    seconds_high: float
    basis: str

    def words(self) -> str:
        """"about 3-6 min", "under a second": rounded, with one unit where both ends share it."""
        if self.seconds_high < 1:
            return "under a second"
        low, high = _duration(self.seconds_low), _duration(self.seconds_high)
        if low[1] == high[1]:
            return f"about {low[0]}–{high[0]} {high[1]}" if low[0] != high[0] else f"about {high[0]} {high[1]}"
        return f"about {low[0]} {low[1]}–{high[0]} {high[1]}"


def estimate(kind: str, rows: int | None, table_bytes: int | None, index_bytes: int | None,
             throughputs: Throughputs = DEFAULT_THROUGHPUTS) -> Estimate | None:
    """The range for ``kind`` (one of :data:`KINDS`) on a table of that size; None when the size it needs is
    unknown (a table never analysed)."""
    if kind == "rewrite":
        if table_bytes is None:
            return None
        amount = (table_bytes + (index_bytes or 0)) / MB
        return _range(amount / throughputs.rewrite_mb_s,
                      f"rewrite of {pretty_bytes(table_bytes + (index_bytes or 0))} (table and indexes) at "
                      f"{throughputs.rewrite_mb_s:g} MB/s", throughputs)
    if kind == "scan":
        if table_bytes is None:
            return None
        return _range(table_bytes / MB / throughputs.seq_scan_mb_s,
                      f"full scan of {pretty_bytes(table_bytes)} at {throughputs.seq_scan_mb_s:g} MB/s", throughputs)
    if rows is None:
        return None
    per_second = {"check": throughputs.check_validation_rows_s, "fk": throughputs.fk_validation_rows_s,
                  "index": throughputs.btree_build_rows_s, "backfill": throughputs.update_backfill_rows_s,
                  "reindex-table": throughputs.btree_build_rows_s}[kind]
    what = {"check": "CHECK validation", "fk": "FOREIGN KEY validation", "index": "btree build",
            "backfill": "UPDATE back-fill", "reindex-table": "btree rebuild"}[kind]
    entries = rows
    if kind == "reindex-table" and index_bytes:
        entries = max(rows, index_bytes // INDEX_BYTES_PER_ENTRY)
        return _range(entries / per_second,
                      f"{what} of about {pretty_count(entries)} index entries ({pretty_bytes(index_bytes)} of indexes) "
                      f"at {pretty_count(int(per_second))} entries/s", throughputs)
    return _range(entries / per_second, f"{what} of {pretty_count(rows)} rows at {pretty_count(int(per_second))} rows/s",
                  throughputs)


def _range(seconds: float, basis: str, throughputs: Throughputs) -> Estimate:
    return Estimate(seconds_low=round(seconds * LOW_FACTOR, 3), seconds_high=round(seconds * HIGH_FACTOR, 3),
                    basis=f"{basis}, x{LOW_FACTOR:g}..x{HIGH_FACTOR:g} ({throughputs.source})")


def _duration(seconds: float) -> tuple[str, str]:
    """(number, unit) with at most two significant digits: 7 s, 40 s, 3 min, 12 min, 2.5 h."""
    for unit, size in (("h", 3600.0), ("min", 60.0), ("s", 1.0)):
        if seconds >= size * 0.995 or unit == "s":
            value = seconds / size
            text = f"{value:.1f}".rstrip("0").rstrip(".") if value < 10 else f"{round(value):d}"
            return (text if text != "0" else "1"), unit
    raise AssertionError("unreachable")


def pretty_count(count: int) -> str:
    """12, 3,400, 350 k, 41 M, 2.1 G: a row count as a reader says it."""
    for suffix, size in (("G", 10**9), ("M", 10**6), ("k", 10**3)):
        if count >= size * 10 or (suffix != "k" and count >= size):
            value = count / size
            text = f"{value:.1f}".rstrip("0").rstrip(".") if value < 10 else f"{round(value):d}"
            return f"{text} {suffix}"
    return f"{count:,}"


def pretty_bytes(count: int) -> str:
    """pg_size_pretty's units (1 kB = 1024 bytes), two significant digits: 16 kB, 8.2 MB, 18 GB."""
    value = float(count)
    for unit in ("bytes", "kB", "MB", "GB", "TB"):
        if value < 1024 or unit == "TB":
            if unit == "bytes":
                return f"{count} bytes"
            return (f"{value:.1f}".rstrip("0").rstrip(".") if value < 10 else f"{round(value):d}") + f" {unit}"
        value /= 1024
    raise AssertionError("unreachable")
