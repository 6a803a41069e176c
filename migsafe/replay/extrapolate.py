"""``replay --stats``: seed tables in proportion to production, and scale measured durations to production size.

Replay seeds a few thousand rows, so a rewrite it measures takes milliseconds; what a reviewer needs is how long
it takes on the production table. With a stats snapshot, :func:`seeding_targets` gives the largest table
``--rows`` rows and every other table its share (at least 1 when it has rows in production), so the replayed
tables stand to each other as the production ones do, and :func:`extrapolate` scales each statement's measured
duration linearly from the rows its table held to the snapshot's rows. The work of a rewrite, a scan, a
validation or a btree build grows about linearly with the rows (a btree build by n log n, close to linear at
these sizes); the range is the estimate's (migsafe/stats/estimate.py, x0.5..x2), because a duration measured on a
few thousand rows in replay's cluster (fsync off, everything in memory) carries fixed costs and flatters writes.
"""

from __future__ import annotations

from typing import Mapping

from migsafe.replay.model import Extrapolation, ObservedStatement
from migsafe.stats.estimate import HIGH_FACTOR, LOW_FACTOR
from migsafe.stats.snapshot import Snapshot

TableName = tuple[str, str]

#: Below this many replayed rows a statement's time is all fixed cost (parsing, locking, catalog updates), and
#: scaling it to millions of rows would say nothing: no extrapolation.
MIN_SEEDED_ROWS = 100

#: Snapshot entries that are seeded: top-level tables (partitions are seeded through their parent).
_SEEDED_KINDS = ("table", "partitioned_table")


def seeding_targets(snapshot: Snapshot, cap: int) -> dict[TableName, int]:
    """Rows to seed per (schema, table) of the snapshot: the largest gets ``cap``, the others proportionally,
    at least 1 when it has rows; tables of unknown size are left out (seeded with ``cap``, as without stats)."""
    sized = {(t.schema, t.name): t.rows for t in snapshot.tables
             if t.kind in _SEEDED_KINDS and t.partition_of is None and t.rows is not None}
    largest = max(sized.values(), default=0)
    if largest <= 0:
        return {name: 0 for name in sized}
    return {name: 0 if rows <= 0 else max(1, round(cap * rows / largest)) for name, rows in sized.items()}


def _split(display: str) -> TableName:
    schema, _, name = display.rpartition(".")
    return (schema or "public", name)


def _table_of(statement: ObservedStatement) -> list[str]:
    """The existing tables whose size the statement's duration follows: the ones it rewrote, then the ones it
    scanned (an index build, a validation and a back-fill count as scans). A statement that only changes the
    catalog (ADD COLUMN, DROP COLUMN) takes as long on 41 M rows as on 5,000: it is not extrapolated."""
    return list(dict.fromkeys([*statement.existing_rewrites, *statement.existing_scans]))


def extrapolate(statement: ObservedStatement, table_rows: Mapping[str, int],
                snapshot: Snapshot) -> Extrapolation | None:
    """The statement's duration at the production size of its table, or None: it rewrote or scanned no
    existing table that held at least :data:`MIN_SEEDED_ROWS` rows when it ran and whose rows the snapshot
    knows, or it failed."""
    if statement.error:
        return None  # the time a failure took says nothing about the work the statement would have done
    for name in _table_of(statement):
        seeded = table_rows.get(name, 0)
        table = snapshot.table(*_split(name))
        if seeded < MIN_SEEDED_ROWS or table is None or table.rows is None:
            continue
        seconds = statement.duration_ms / 1000 * table.rows / seeded
        return Extrapolation(table=name, measured_ms=statement.duration_ms, seeded_rows=seeded,
                             production_rows=table.rows, seconds_low=round(seconds * LOW_FACTOR, 3),
                             seconds_high=round(seconds * HIGH_FACTOR, 3))
    return None
