"""Size-aware findings: attach each finding's table size and estimated blocking time, and let severity follow size.

The engine calls this after the rules have run; rules do not know about sizes. Two steps:

* :func:`target` (per hit, while the engine builds findings): which table a finding is about, read from the
  hit's ``key`` (every rule names the table there), and for the rules whose danger is *duration* (a rewrite, a
  full scan, a validation, an index build, a back-fill: :data:`PHASES`) which kind of blocking phase it is;
* :func:`apply` (once, on the whole report): look each table up in the stats snapshot, attach its size and
  the estimate, say it in words at the end of the message, and move the severity of duration findings:
  under ``small-table-rows`` to ``info`` (the phase takes milliseconds), from ``large-table-rows`` up to
  ``error``. Findings whose danger is the lock queue or correctness (missing-lock-timeout, lock-table,
  drop-column, a rename, a migration that fails...) are not in :data:`PHASES`: they get the size, never a new
  severity. An explicit ``severity`` in the configuration beats the size rule; a table missing from the
  snapshot, or with an unknown row count, is judged as without sizes and the finding says so; a stale snapshot
  never lowers a finding below ``warning``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from migsafe.model import Note, Statement
from migsafe.report import Finding, Report
from migsafe.sql import actions as A
from migsafe.stats.estimate import (DEFAULT_THROUGHPUTS, Estimate, TableSize, Throughputs, estimate, pretty_bytes,
                                    pretty_count)
from migsafe.stats.snapshot import Snapshot

#: Defaults, justified in docs/stats.md ("Thresholds"). 10,000 rows: at the reference machine's slowest
#: throughput (a whole-table UPDATE, 320 k rows/s) every duration phase of such a table ends within about 60 ms
#: even at the slow end of the range, shorter than a typical lock_timeout. 1,000,000 rows: a rewrite of such a
#: table (100-200 MB with its indexes) or a back-fill of it holds its locks for one to several seconds, and every
#: request to the table queues that long.
SMALL_TABLE_ROWS = 10_000
LARGE_TABLE_ROWS = 1_000_000
#: Autovacuum re-measures a table after ~10% of it changed, so a live table's numbers stay close; a snapshot
#: itself, though, is a file someone took once. Thirty days is one or two release cycles: older than that, a
#: table that was small may no longer be, so the snapshot is not trusted to lower a finding below warning.
STATS_MAX_AGE_DAYS = 30


@dataclass(frozen=True)
class Phase:
    """The blocking phase of a duration finding: the estimate's operation kind, the lock it holds (in words),
    what PostgreSQL does meanwhile, and the noun for "the rewrite takes milliseconds"."""

    kind: str  # one of migsafe.stats.estimate.KINDS
    lock: str
    doing: str
    noun: str


_REWRITE = Phase("rewrite", "ACCESS EXCLUSIVE", "while PostgreSQL rewrites it", "rewrite")
# The validation's lock is the one the rule's message names (it depends on the PostgreSQL version and on what
# else the statement does), so the size words do not name it again.
_CHECK = Phase("check", "the lock", "while PostgreSQL checks every row", "validation")
_FK = Phase("fk", "the locks", "while PostgreSQL checks every row against the referenced table", "validation")

#: The rules whose danger grows with the table, and their blocking phase. constraint-without-not-valid is a
#: CHECK or a FOREIGN KEY, and reindex-not-concurrent an index or a whole table: :func:`target` picks.
PHASES: dict[str, Phase] = {
    "column-type-rewrite": _REWRITE,
    "add-column-rewrites": _REWRITE,
    "volatile-default": _REWRITE,
    "table-rewrite-command": _REWRITE,
    "enum-recreate": _REWRITE,
    "set-not-null": Phase("scan", "ACCESS EXCLUSIVE", "while PostgreSQL scans it for NULLs", "scan"),
    "constraint-without-not-valid": _CHECK,
    "unique-constraint-builds-index": Phase("index", "ACCESS EXCLUSIVE", "while PostgreSQL builds the unique index",
                                            "index build"),
    "index-not-concurrent": Phase("index", "SHARE", "while PostgreSQL builds the index", "index build"),
    "reindex-not-concurrent": Phase("index", "SHARE", "while PostgreSQL rebuilds the index", "rebuild"),
    "backfill-in-transaction": Phase("backfill", "row locks", "while the back-fill runs, held until commit",
                                     "back-fill"),
}
_REINDEX_TABLE = Phase("reindex-table", "SHARE", "while PostgreSQL rebuilds its indexes", "rebuild")


@dataclass(frozen=True)
class Target:
    """What :func:`target` found for one hit."""

    table: A.QName | None
    phase: Phase | None


def target(rule_id: str, statement: Statement, key: tuple[object, ...]) -> Target:
    """The table a finding is about (the first schema-qualified name in the hit's key, else the statement's only
    table; an index's table through the schema model) and, for duration rules, its blocking phase."""
    table = next((part for part in key if isinstance(part, A.QName)), None)
    if table is None:
        # Rules keyed by revision or transaction (missing-lock-timeout): the statement's table, when it has one.
        tables = {action.table for action in statement.actions if isinstance(getattr(action, "table", None), A.QName)}
        table = tables.pop() if len(tables) == 1 else None
    if table is not None and table in statement.indexes_before:
        index = statement.indexes_before[table]
        table = index.table if index is not None else None
    phase = PHASES.get(rule_id)
    if rule_id == "constraint-without-not-valid" and table is not None:
        if any(isinstance(action, A.AddConstraint) and action.table == table
               and action.constraint.kind == "foreign_key" for action in statement.actions):
            phase = _FK
    if rule_id == "reindex-not-concurrent" and len(key) > 1 and key[1] == "table":
        phase = _REINDEX_TABLE
    return Target(table, phase)


def utc_now() -> datetime:
    """The clock staleness is measured by (a function, so that tests can set it)."""
    return datetime.now(timezone.utc)


@dataclass(frozen=True)
class Sizing:
    """A loaded snapshot and the settings that decide what sizes do to findings."""

    snapshot: Snapshot
    path: Path
    small_table_rows: int = SMALL_TABLE_ROWS
    large_table_rows: int = LARGE_TABLE_ROWS
    max_age_days: float = STATS_MAX_AGE_DAYS
    throughputs: Throughputs = DEFAULT_THROUGHPUTS
    overridden: frozenset[str] = frozenset()  # rule ids with an explicit severity in the configuration
    now: datetime = field(default_factory=lambda: utc_now())

    @property
    def age_days(self) -> float | None:
        """How old the snapshot is, in days (None: ``taken_at`` is not a readable timestamp)."""
        try:
            taken = datetime.fromisoformat(self.snapshot.taken_at.replace("Z", "+00:00"))
        except ValueError:
            return None
        if taken.tzinfo is None:
            taken = taken.replace(tzinfo=timezone.utc)
        return (self.now - taken).total_seconds() / 86400

    @property
    def stale(self) -> bool:
        age = self.age_days
        return age is None or age > self.max_age_days


def apply(report: Report, sizing: Sizing, shown_path: str) -> None:
    """Attach sizes and estimates to ``report``'s findings and adjust their severities; add one note saying which
    snapshot was used (and whether it is stale)."""
    stale = sizing.stale
    age = sizing.age_days
    taken = f"taken {sizing.snapshot.taken_at}" + ("" if age is None else ", today" if age < 1
                                                   else f", {age:.0f} day{'s' if round(age) != 1 else ''} ago")
    message = f"table sizes from {shown_path} ({taken}, PostgreSQL {sizing.snapshot.server_version})"
    if sizing.throughputs != DEFAULT_THROUGHPUTS:
        # Estimates from the user's own machine: say whose numbers the minutes are (the defaults say nothing).
        message += f"; durations estimated from throughputs {sizing.throughputs.source}"
    if stale:
        message += (f": older than stats-max-age ({sizing.max_age_days:g} days), so sizes never lower a finding "
                    "below warning")
    report.notes.append(Note(kind="stats", message=message))
    for finding in report.findings:
        _size_finding(finding, sizing, stale)


def _size_finding(finding: Finding, sizing: Sizing, stale: bool) -> None:
    table = finding.table
    if table is None:
        return
    phase = finding.phase
    entry = sizing.snapshot.table(table.schema, table.name)
    if entry is None:
        if phase is not None:
            finding.size_words = f"{table} is not in the stats snapshot: judged without its size"
        return
    size = TableSize(rows=entry.rows, table_bytes=entry.table_bytes, index_bytes=entry.index_bytes)
    finding.table_size = size
    if entry.rows is None:
        finding.size_words = f"{table}: size unknown (never analysed when the stats snapshot was taken)"
        return
    if phase is None:
        finding.size_words = f"{table}: {size.words()}"
        return
    found = estimate(phase.kind, entry.rows, entry.table_bytes, entry.index_bytes, sizing.throughputs)
    finding.estimate = found
    duration = f" for {found.words()}" if found is not None else ""
    finding.size_words = f"{phase.lock} on {table} ({size.words()}){duration} {phase.doing}"
    if finding.rule in sizing.overridden:
        return
    if entry.rows < sizing.small_table_rows:
        takes = "milliseconds" if found is None or found.seconds_high < 1 else found.words()
        reason = f"{pretty_count(entry.rows)} row{'s' if entry.rows != 1 else ''}: the {phase.noun} takes {takes}"
        if stale:
            if finding.severity == "error":
                finding.severity = "warning"
                finding.severity_reason = f"{reason}, but the stats snapshot is stale: warning, not info"
            else:
                finding.severity_reason = f"{reason}, but the stats snapshot is stale: kept"
        else:
            finding.severity = "info"
            finding.severity_reason = reason
        finding.size_words += f" ({finding.severity_reason})"
    elif entry.rows >= sizing.large_table_rows and finding.severity != "error":
        finding.severity = "error"
        finding.severity_reason = (f"{pretty_count(entry.rows)} rows, at least large-table-rows "
                                   f"({pretty_count(sizing.large_table_rows)}): an error")
        finding.size_words += f" ({finding.severity_reason})"


__all__ = ["Estimate", "LARGE_TABLE_ROWS", "PHASES", "Phase", "SMALL_TABLE_ROWS", "STATS_MAX_AGE_DAYS", "Sizing",
           "Target", "apply", "pretty_bytes", "target"]
