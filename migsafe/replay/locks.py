"""PostgreSQL's table lock modes: what each one blocks, and which ones are dangerous on a live table.

From the conflict table in the PostgreSQL documentation ("Explicit Locking", table-level locks). Modes are
spelled as ``pg_locks.mode`` spells them.
"""

from __future__ import annotations

from dataclasses import dataclass

# Strength order (weakest first), as in the documentation's conflict table.
MODES = (
    "AccessShareLock",
    "RowShareLock",
    "RowExclusiveLock",
    "ShareUpdateExclusiveLock",
    "ShareLock",
    "ShareRowExclusiveLock",
    "ExclusiveLock",
    "AccessExclusiveLock",
)

_CONFLICTS: dict[str, frozenset[str]] = {
    "AccessShareLock": frozenset({"AccessExclusiveLock"}),
    "RowShareLock": frozenset({"ExclusiveLock", "AccessExclusiveLock"}),
    "RowExclusiveLock": frozenset({"ShareLock", "ShareRowExclusiveLock", "ExclusiveLock", "AccessExclusiveLock"}),
    "ShareUpdateExclusiveLock": frozenset({"ShareUpdateExclusiveLock", "ShareLock", "ShareRowExclusiveLock",
                                           "ExclusiveLock", "AccessExclusiveLock"}),
    "ShareLock": frozenset({"RowExclusiveLock", "ShareUpdateExclusiveLock", "ShareRowExclusiveLock",
                            "ExclusiveLock", "AccessExclusiveLock"}),
    "ShareRowExclusiveLock": frozenset({"RowExclusiveLock", "ShareUpdateExclusiveLock", "ShareLock",
                                        "ShareRowExclusiveLock", "ExclusiveLock", "AccessExclusiveLock"}),
    "ExclusiveLock": frozenset({"RowShareLock", "RowExclusiveLock", "ShareUpdateExclusiveLock", "ShareLock",
                                "ShareRowExclusiveLock", "ExclusiveLock", "AccessExclusiveLock"}),
    "AccessExclusiveLock": frozenset(MODES),
}

# Locks that stop ordinary application traffic (reads or writes) on an existing table.
DANGEROUS = frozenset({"ShareLock", "ShareRowExclusiveLock", "ExclusiveLock", "AccessExclusiveLock"})


@dataclass(frozen=True)
class Blocks:
    reads: bool  # plain SELECT (AccessShareLock)
    writes: bool  # INSERT / UPDATE / DELETE (RowExclusiveLock)
    ddl: bool  # schema changes, VACUUM, index builds (ShareUpdateExclusiveLock and up)

    def describe(self) -> str:
        if self.reads:
            return "reads and writes"
        if self.writes:
            return "writes"
        if self.ddl:
            return "schema changes only"
        return "nothing ordinary"


def blocks(mode: str) -> Blocks:
    conflicts = _CONFLICTS.get(mode, frozenset())
    return Blocks(
        reads="AccessShareLock" in conflicts,
        writes="RowExclusiveLock" in conflicts,
        ddl="ShareUpdateExclusiveLock" in conflicts or "AccessExclusiveLock" in conflicts,
    )


def strength(mode: str) -> int:
    return MODES.index(mode) if mode in MODES else -1


def strongest(modes: list[str]) -> str | None:
    return max(modes, key=strength) if modes else None
