"""Hold what replay saw against what the static review predicted.

Each static finding becomes *confirmed* (the server did what the rule said), *not observed* (with why), or
*not observable on this server* (the rule judged for a PostgreSQL version other than the server's). What the
server did that no rule predicted becomes a finding of its own (``observed-rewrite``, ``observed-full-scan``,
``observed-blocking-lock``, ``migration-failed``), so every reporter shows it like any other finding.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Callable

from migsafe.config import PgVersion, Settings
from migsafe.pg_locks import DANGEROUS, strength
from migsafe.report import Finding, Report
from migsafe.replay.model import ObservedStatement, ReplayedRevision
from migsafe.rules.base import Rule

from migsafe.rules._replay_only import (  # declared beside the static rules; reported here
    MIGRATION_FAILED, OBSERVED_BLOCKING_LOCK, OBSERVED_FULL_SCAN, OBSERVED_REWRITE, REPLAY_RULES)



def configured(found: list[Finding], settings: Settings) -> list[Finding]:
    """Replay's own findings as the configuration wants them: ``ignore`` leaves them out and ``severity``
    changes theirs, as for static rules. ``select`` limits them only when it names one of them: a ``select``
    of static rules narrows what the review predicts, and must not hide that a migration failed on a real
    server."""
    from migsafe.rules import known_rule_ids
    from migsafe.selection import enabled_rules

    ids = frozenset(rule.id for rule in REPLAY_RULES)
    sources = settings.rule_selection
    enabled = enabled_rules(frozenset(known_rule_ids()), sources) & ids
    if not any(source.select and set(source.select) & ids for source in sources):
        enabled = ids - {rule for source in sources for rule in source.ignore}
    return [replace(f, severity=settings.severity.get(f.rule, f.severity)) for f in found if f.rule in enabled]


# Rules whose verdict depends on the PostgreSQL version judged for.
VERSION_DEPENDENT = {"enum-add-value-in-transaction", "volatile-default", "set-not-null", "column-type-rewrite",
                     "concurrent-index-pg14-bug"}

Check = Callable[[list[ObservedStatement]], str | None]  # None: confirmed; else why not
# Rules whose failure shows on a later statement of the same transaction (the use of the new enum value).
LATER_STATEMENTS = {"enum-add-value-in-transaction", "backfill-in-transaction"}


def _failed(statements: list[ObservedStatement]) -> str | None:
    """A statement that failed released its locks before they could be seen."""
    errors = [s.error for s in statements if s.error]
    return f"the statement failed before its locks could be seen: {errors[0]}" if errors else None


def _lock_at_least(mode: str, *, existing_only: bool = True) -> Check:
    def check(statements: list[ObservedStatement]) -> str | None:
        for s in statements:
            for lock in s.locks:
                if strength(lock.mode) >= strength(mode) and (lock.existing or not existing_only) \
                        and lock.kind in ("table", "partitioned table", "index", "materialized view"):
                    return None
        seen = sorted({f"{lock.mode} on {lock.relation}" for s in statements for lock in s.locks}) or ["no lock"]
        return _failed(statements) or f"expected {mode} on an existing table, saw {', '.join(seen)}"
    return check


def _failed_with(*fragments: str) -> Check:
    def check(statements: list[ObservedStatement]) -> str | None:
        for s in statements:
            if s.error and any(f in s.error for f in fragments):
                return None
        errors = [s.error for s in statements if s.error]
        return f"expected the server to refuse it, but it {'failed with: ' + errors[0] if errors else 'succeeded'}"
    return check


def _rewrite(statements: list[ObservedStatement]) -> str | None:
    if any(s.existing_rewrites for s in statements):
        return None
    return "no existing table was rewritten (relfilenode unchanged)"


def _scan(statements: list[ObservedStatement]) -> str | None:
    if any(s.existing_scans for s in statements):
        return None
    return "no existing table was scanned (seq_scan unchanged)"


def _all(*checks: Check) -> Check:
    def check(statements: list[ObservedStatement]) -> str | None:
        for c in checks:
            why = c(statements)
            if why is not None:
                return why
        return None
    return check


def _ran(statements: list[ObservedStatement]) -> str | None:
    """For rules whose harm (running code breaking) a server cannot show: the statement ran as written."""
    errors = [s.error for s in statements if s.error]
    return f"it failed: {errors[0]}" if errors else None


def _two_strong_locks(statements: list[ObservedStatement]) -> str | None:
    for s in statements:
        held = {lock.relation for lock in s.locks if lock.dangerous}
        if len(held) >= 2:
            return None
    return "fewer than two existing tables were held under a strong lock"


def _no_lock_timeout(statements: list[ObservedStatement]) -> str | None:
    for s in statements:
        if s.lock_timeout in ("0", None) and any(lock.existing and lock.mode == "AccessExclusiveLock"
                                                 for lock in s.locks):
            return None
    return _failed(statements) or "no ACCESS EXCLUSIVE lock without lock_timeout was seen"


def _ended_transaction(statements: list[ObservedStatement]) -> str | None:
    if any(not s.in_transaction for s in statements):
        return None
    return "the transaction was still open after it"


EXPECTATIONS: dict[str, Check] = {
    "index-not-concurrent": _lock_at_least("ShareLock"),
    "drop-index-not-concurrent": _lock_at_least("AccessExclusiveLock", existing_only=False),
    "unique-constraint-builds-index": _lock_at_least("AccessExclusiveLock"),
    "concurrent-index-in-transaction": _failed_with("cannot run inside a transaction block"),
    "not-null-without-default": _failed_with("contains null values"),
    "enum-add-value-in-transaction": _failed_with("unsafe use of new value", "cannot run inside a transaction block",
                                                  "cannot be executed inside a transaction block"),
    "set-not-null": _all(_lock_at_least("AccessExclusiveLock"), _scan),
    "constraint-without-not-valid": _all(_lock_at_least("ShareUpdateExclusiveLock"), _scan),
    "column-type-rewrite": _rewrite,
    "enum-recreate": _rewrite,
    "volatile-default": _rewrite,
    "hidden-rename": _lock_at_least("AccessExclusiveLock"),
    "drop-column": _lock_at_least("AccessExclusiveLock"),
    "drop-table": _lock_at_least("AccessExclusiveLock"),
    "rename-column": _lock_at_least("AccessExclusiveLock"),
    "rename-table": _lock_at_least("AccessExclusiveLock"),
    "add-column-rewrites": _rewrite,
    "table-rewrite-command": _rewrite,
    "reindex-not-concurrent": _rewrite,
    "detach-partition-not-concurrent": _lock_at_least("AccessExclusiveLock"),
    "truncate-table": _lock_at_least("AccessExclusiveLock"),
    "lock-table": _lock_at_least("RowShareLock"),
    "refresh-matview-not-concurrent": _lock_at_least("AccessExclusiveLock"),
    "enum-rename-value": _ran,
    "backfill-in-transaction": _lock_at_least("RowExclusiveLock"),
    "multiple-strong-locks": _two_strong_locks,
    "missing-lock-timeout": _no_lock_timeout,
    "bare-commit": _ended_transaction,
}


def reconcile(static: Report, revisions: list[ReplayedRevision], server: PgVersion, judged: PgVersion,
              order: dict[str, int]) -> list[Finding]:
    """Mark each static finding and add the findings only replay could make; returns the new findings."""
    by_revision = {r.revision: r for r in revisions}
    predicted: dict[tuple[str, int], set[str]] = {}
    explained: set[str] = set()
    for finding in static.findings:
        predicted.setdefault((finding.revision, finding.line), set()).add(finding.rule)
        replayed = by_revision.get(finding.revision)
        if replayed is None:
            finding.replay_status, finding.replay_detail = "not observed", "the revision was not replayed"
            continue
        statements = [s for s in replayed.statements if s.line == finding.line]
        if finding.rule in LATER_STATEMENTS and statements:
            first = replayed.statements.index(statements[0])
            statements = replayed.statements[first:]
        if finding.rule in VERSION_DEPENDENT and judged.major != server.major:
            finding.replay_status = "not observable"
            finding.replay_detail = (f"judged for PostgreSQL {judged}, the replay server is PostgreSQL "
                                     f"{server.major}")
            continue
        if not statements:
            why = "the statement never ran"
            if replayed.error:
                why += f": the revision failed earlier ({replayed.error})"
            finding.replay_status, finding.replay_detail = "not observed", why
            continue
        expectation = EXPECTATIONS.get(finding.rule)
        why = expectation(statements) if expectation else "replay has no expectation for this rule"
        finding.replay_status = "confirmed" if why is None else "not observed"
        finding.replay_detail = _evidence(statements) if why is None else why
        if why is None and replayed.error:
            explained.add(finding.revision)  # the failure was the predicted one
    return _unpredicted(revisions, predicted, explained, order)


def _evidence(statements: list[ObservedStatement]) -> str:
    parts: list[str] = []
    for s in statements:
        if s.error:
            parts.append(f"failed: {s.error}")
        suffix = "" if s.observed else " (documented; ran outside a transaction)"
        parts += [f"{lock.mode} on {lock.relation}{suffix}" for lock in s.locks
                  if lock.dangerous or (not s.observed and lock.existing and lock.mode in DANGEROUS)]
        parts += [f"rewrote {name}" for name in s.existing_rewrites]
        parts += [f"scanned {name}" for name in s.existing_scans]
    return "; ".join(dict.fromkeys(parts)) or "ran without error"


# Which static rules account for a rewrite or a full scan seen on their line.
REWRITE_RULES = frozenset({"column-type-rewrite", "enum-recreate", "volatile-default", "add-column-rewrites",
                           "table-rewrite-command", "reindex-not-concurrent", "truncate-table"})
SCAN_RULES = REWRITE_RULES | {"set-not-null", "constraint-without-not-valid", "index-not-concurrent",
                              "unique-constraint-builds-index", "backfill-in-transaction", "multiple-strong-locks"}


def _unpredicted(revisions: list[ReplayedRevision], predicted: dict[tuple[str, int], set[str]],
                 explained: set[str], order: dict[str, int]) -> list[Finding]:
    found: list[Finding] = []

    def add(rule: Rule, s: ObservedStatement, message: str) -> None:
        found.append(Finding(rule=rule.id, severity=rule.severity, message=message, fix=rule.fix, path=s.path,
                             line=s.line, end_line=s.end_line, revision=s.revision, sql=s.sql,
                             order=order.get(s.revision, 0), replay_status="observed"))

    for revision in revisions:
        if not revision.reviewed:
            continue
        blocking: list[tuple[ObservedStatement, str]] = []
        if revision.timed_out and not any(s.error for s in revision.statements):
            # Stopped in Python code (no statement was running): the finding goes on the line it was at.
            found.append(Finding(rule=MIGRATION_FAILED.id, severity=MIGRATION_FAILED.severity,
                                 message=f"the revision {revision.error}", fix=MIGRATION_FAILED.fix,
                                 path=revision.path, line=revision.error_line or 1,
                                 end_line=revision.error_line or 1, revision=revision.revision,
                                 order=order.get(revision.revision, 0), replay_status="observed"))
        for s in revision.statements:
            if s.error and revision.timed_out and s.error == revision.error:
                add(MIGRATION_FAILED, s, f"the revision {s.error}")
                continue
            if s.error and revision.revision not in explained:
                add(MIGRATION_FAILED, s, f"PostgreSQL refused this statement: {s.error}")
                continue
            rules = predicted.get((s.revision, s.line), set())
            if s.existing_rewrites and not rules & REWRITE_RULES:
                add(OBSERVED_REWRITE, s, f"rewrote {', '.join(s.existing_rewrites)} (relfilenode changed) under "
                                         f"{_strongest(s)}")
            scanned = [n for n in s.existing_scans if n not in s.existing_rewrites]
            if scanned and not s.created and _strongest(s) in DANGEROUS and not rules & SCAN_RULES:
                add(OBSERVED_FULL_SCAN, s, f"scanned every row of {', '.join(scanned)} under {_strongest(s)}")
            if s.observed and s.lock_timeout in (None, "0") and not rules:
                blocking += [(s, f"{lock.mode} on {lock.relation} (blocks {lock.blocks})")
                             for lock in s.locks if lock.acquired and lock.dangerous]
        if blocking:
            # One note-level finding per revision: brief strong locks are normal; without lock_timeout each
            # can still queue all traffic behind a long-running query.
            first = blocking[0][0]
            locks = ", ".join(dict.fromkeys(text for _, text in blocking))
            add(OBSERVED_BLOCKING_LOCK, first, f"took {locks} with no lock_timeout set")
    return found


# The findings ``replay --contention`` confirms (or not) with its measurements.
CONTENTION_RULES = frozenset({"missing-lock-timeout", "observed-blocking-lock"})


def contention_evidence(findings: list[Finding], revisions: list[ReplayedRevision]) -> None:
    """Add to each ``missing-lock-timeout`` and ``observed-blocking-lock`` finding what the lock queue did under
    the slow reader and the application load, on the statements measured on its line: confirmed when
    application queries were blocked, said so when none was."""
    measured: dict[tuple[str, int], list[ObservedStatement]] = {}
    for revision in revisions:
        for s in revision.statements:
            if s.contention is not None:
                measured.setdefault((s.revision, s.line), []).append(s)
    for finding in findings:
        statements = measured.get((finding.revision, finding.line), [])
        if finding.rule not in CONTENTION_RULES or not statements:
            continue
        runs = [s.contention for s in statements]
        blocked = [c for c in runs if c is not None and c.as_written.app_blocked]
        if blocked:
            worst = max(blocked, key=lambda c: c.as_written.app_wait_max_ms)
            text = (f"under contention: {worst.as_written.app_blocked} application queries on {worst.table} "
                    f"blocked up to {worst.as_written.app_wait_max_ms / 1000:.1f} s")
            if worst.with_timeout is not None:
                text += (f"; with lock_timeout = {worst.lock_timeout} up to "
                         f"{worst.with_timeout.app_wait_max_ms / 1000:.1f} s")
        else:
            text = "under contention: no application query waited over 100 ms"
        finding.replay_detail = f"{finding.replay_detail}; {text}" if finding.replay_detail else text


def _index_names(s: ObservedStatement) -> set[str]:
    return {lock.relation for lock in s.locks if lock.kind == "index"}


def _strongest(s: ObservedStatement) -> str:
    modes = [lock.mode for lock in s.locks if lock.existing]
    return max(modes, key=strength) if modes else "no recorded lock"
