"""What replay observed: per statement, the locks, rewrites, scans and time; per revision, the outcome."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from migsafe.pg_locks import DANGEROUS, blocks


@dataclass
class LockObservation:
    relation: str  # display name, schema-qualified outside public
    kind: str  # "table", "index", "sequence", "view", "materialized view", ...
    mode: str  # as pg_locks spells it, e.g. AccessExclusiveLock
    acquired: bool  # taken by this statement (False: already held from an earlier statement)
    existing: bool  # the relation existed before the revision started (so it may hold production data)

    @property
    def dangerous(self) -> bool:
        return self.existing and self.kind in ("table", "partitioned table", "materialized view") \
            and self.mode in DANGEROUS

    @property
    def blocks(self) -> str:
        return blocks(self.mode).describe()


@dataclass(frozen=True)
class Extrapolation:
    """A statement's measured duration scaled to its table's production size (``replay --stats``): linear in
    rows, widened to a range by the estimate factors. An extrapolation, not a measurement: the reports say so."""

    table: str  # display name, as in the statement's locks
    measured_ms: float
    seeded_rows: int  # rows the table held when the statement ran
    production_rows: int  # the stats snapshot's rows
    seconds_low: float
    seconds_high: float

    def words(self) -> str:
        """"measured 12 ms on 5,000 rows; about 1.6-6.4 min on 41 M rows"."""
        from migsafe.stats.estimate import Estimate, pretty_count

        scaled = Estimate(self.seconds_low, self.seconds_high, "").words()
        rows = "row" if self.seeded_rows == 1 else "rows"
        measured = f"{self.measured_ms:.1f}" if self.measured_ms < 10 else f"{self.measured_ms:,.0f}"
        return (f"measured {measured} ms on {self.seeded_rows:,} {rows} of {self.table}; {scaled} on "
                f"{pretty_count(self.production_rows)} rows")


@dataclass
class ContentionRun:
    """One run of a statement under the slow reader and the application load (``replay --contention``).

    Times on the timeline are seconds from the moment the application load started."""

    lock_wait_ms: float  # the migration statement waiting for its lock
    lock_held_ms: float  # acquisition to the end of its transaction (0: it gave up, never held it)
    app_queries: int
    app_blocked: int  # application queries that waited over BLOCKED_MS
    app_wait_max_ms: float
    app_wait_p99_ms: float
    app_errors: int
    gave_up: bool = False  # the statement failed (lock_timeout, or the statement budget) instead of running
    error: str | None = None  # PostgreSQL's message when it gave up
    reader: tuple[float, float] = (0.0, 0.0)  # the slow reader held ACCESS SHARE from .. to
    started: float = 0.0  # the migration statement was sent
    acquired: float | None = None  # ... got its lock (None: never)
    ended: float = 0.0  # ... returned (ran or gave up)
    blocked: list[tuple[float, float]] = field(default_factory=list)  # (sent, waited s) of each blocked query


@dataclass
class Contention:
    """A statement measured under contention: as written, then with a lock_timeout (see docs/replay.md)."""

    table: str  # display name of the table the slow reader and the application load used
    mode: str  # the conflicting lock the statement takes on it
    reader_seconds: float
    rate: float  # application queries per second
    as_written: ContentionRun
    with_timeout: ContentionRun | None  # None: measured once (it cannot run in a transaction)
    lock_timeout: str  # the value of the second run
    lock_timeout_source: str  # where it came from, for the report ("migsafe's suggested value", ...)
    note: str | None = None  # why it was measured once, or anything else the report must say


@dataclass
class ObservedStatement:
    revision: str
    path: Path
    line: int
    end_line: int
    sql: str
    in_transaction: bool
    observed: bool = True  # False: ran outside a transaction; its locks are the documented ones
    locks: list[LockObservation] = field(default_factory=list)
    rewrites: list[str] = field(default_factory=list)  # relations whose relfilenode changed
    scans: list[str] = field(default_factory=list)  # tables whose seq_scan count grew
    created: list[str] = field(default_factory=list)  # relations that did not exist before
    duration_ms: float = 0.0
    error: str | None = None
    lock_timeout: str | None = None  # the session's lock_timeout when the statement ran ("0" = none)
    existing_rewrites: list[str] = field(default_factory=list)
    existing_scans: list[str] = field(default_factory=list)
    extrapolation: Extrapolation | None = None  # with replay --stats: the duration at the production size
    contention: Contention | None = None  # with replay --contention: the lock queue it causes under traffic


@dataclass
class ReplayedRevision:
    revision: str
    path: Path
    reviewed: bool
    statements: list[ObservedStatement] = field(default_factory=list)
    error: str | None = None  # the revision failed on the server (PostgreSQL's message) or could not run
    error_line: int | None = None
    seeded: dict[str, int] = field(default_factory=dict)  # table -> rows inserted before the revision
    table_rows: dict[str, int] = field(default_factory=dict)  # table -> rows it held when the revision started
    unseeded: dict[str, str] = field(default_factory=dict)  # table -> why it could not be seeded
    duration_ms: float = 0.0
    timed_out: bool = False  # stopped at revision-timeout (``error`` says so)
