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


@dataclass
class ReplayedRevision:
    revision: str
    path: Path
    reviewed: bool
    statements: list[ObservedStatement] = field(default_factory=list)
    error: str | None = None  # the revision failed on the server (PostgreSQL's message) or could not run
    error_line: int | None = None
    seeded: dict[str, int] = field(default_factory=dict)  # table -> rows inserted before the revision
    unseeded: dict[str, str] = field(default_factory=dict)  # table -> why it could not be seeded
    duration_ms: float = 0.0
    timed_out: bool = False  # stopped at revision-timeout (``error`` says so)
