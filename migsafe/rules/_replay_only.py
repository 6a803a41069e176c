"""The findings only ``migsafe replay`` reports, declared beside the static rules: configuration
(``select``, ``ignore``, ``severity``) and ``migsafe explain`` know every id from the rules package, which
must not import replay. Replay's reconciliation (migsafe/replay/reconcile.py) decides when they fire. The
leading underscore keeps this module out of the static rules' discovery."""

from __future__ import annotations

from migsafe.pg_locks import SUGGESTED_LOCK_TIMEOUT
from migsafe.rules.base import Rule

OBSERVED_REWRITE = Rule(
    id="observed-rewrite", severity="error",
    summary="Replay saw an existing table (or its index) rewritten, and no static rule predicted it",
    fix="Find the statement's safe form in the docs of the closest rule (column-type-rewrite, volatile-default); "
        "a rewrite holds ACCESS EXCLUSIVE for as long as copying the table takes.")
OBSERVED_FULL_SCAN = Rule(
    id="observed-full-scan", severity="warning",
    summary="Replay saw an existing table fully scanned under a strong lock, and no static rule predicted it",
    fix="Move validation out of the locking statement (NOT VALID + VALIDATE CONSTRAINT in a later transaction) "
        "or batch the work outside the migration's transaction.")
OBSERVED_BLOCKING_LOCK = Rule(
    id="observed-blocking-lock", severity="info",
    summary="Replay saw a lock that blocks application traffic on an existing table, with no lock_timeout set",
    fix=f"Set a short lock timeout first (`op.execute(\"SET LOCAL lock_timeout = '{SUGGESTED_LOCK_TIMEOUT}'\")`) so "
        "the migration fails fast instead of queueing every query behind it, and retry the deploy.")
MIGRATION_FAILED = Rule(
    id="migration-failed", severity="error",
    summary="The revision failed on a PostgreSQL server holding data",
    fix="Read PostgreSQL's message; the migration would fail the same way in production.")

REPLAY_RULES = (OBSERVED_REWRITE, OBSERVED_FULL_SCAN, OBSERVED_BLOCKING_LOCK, MIGRATION_FAILED)
