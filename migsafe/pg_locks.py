"""What PostgreSQL itself says about table locks: the lock modes, what each one blocks, which ones are dangerous
on a live table, and how it reads a ``lock_timeout`` value.

The lowest layer of migsafe's lock knowledge: the static lock model (:mod:`migsafe.sql.locks`), the rules,
replay and the configuration all read it, and it imports nothing of migsafe's, so none of them has to reach
into another's module for it.

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

# The one lock_timeout migsafe suggests, wherever it shows one (rule fixes, the rule pages' recipes, replay's
# fix texts): while a migration waits for its lock every query on the table queues behind it, so the wait must
# be short enough for that queue to clear quickly when it gives up, and long enough that a busy table's
# lock is still granted between its transactions. docs/rules/missing-lock-timeout.md says why 2 s.
SUGGESTED_LOCK_TIMEOUT = "2s"


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


# -- lock_timeout values ---------------------------------------------------------------------------------------

_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "min": 60_000.0, "h": 3_600_000.0, "d": 86_400_000.0}


def duration_ms(value: object) -> int | None:
    """A ``lock_timeout`` value in milliseconds as PostgreSQL reads it (``5000``, ``'5s'``, ``'250 ms'``,
    ``'1min'``; units are case-sensitive; no unit means milliseconds; rounded to whole milliseconds), or None
    when PostgreSQL would reject it. 0 means no timeout."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        number, unit = float(value), "ms"
    else:
        text = str(value).strip().strip("'").strip()
        digits = len(text)
        while digits and not (text[digits - 1].isdigit() or text[digits - 1] == "."):
            digits -= 1
        number_text, unit = text[:digits].strip(), text[digits:].strip() or "ms"
        try:
            number = float(number_text)
        except ValueError:
            return None
    if unit not in _UNITS_MS:
        return None
    ms = round(number * _UNITS_MS[unit])
    return ms if 0 <= ms <= 2_147_483_647 else None
