"""column-type-rewrite: ``ALTER COLUMN ... TYPE`` that makes PostgreSQL rewrite the table.

Most type changes convert every stored value: PostgreSQL writes a new copy of the table and rebuilds its
indexes while holding ACCESS EXCLUSIVE, so the table is unreadable for as long as that takes. A few changes
keep the stored bytes and are catalog-only (see :mod:`migsafe.sql.type_changes`); they are not reported.
"""

from __future__ import annotations

from typing import Iterator

from migsafe.model import Statement
from migsafe.rules.base import Hit, RevisionView, Rule
from migsafe.rules.enum_recreate import converts_to_enum
from migsafe.sql import actions as A
from migsafe.sql.locks import column_may_be_indexed
from migsafe.sql.type_changes import Change, classify, is_plain_using, may_avoid_rewrite, sets_utc, using_expression

RULE = Rule(
    id="column-type-rewrite",
    severity="error",
    summary="Changing a column's type rewrites the table and its indexes under ACCESS EXCLUSIVE",
    fix="Add a new column of the new type, backfill it in batches and keep it in sync, switch the code to it, "
        "then drop the old column; or pick a change PostgreSQL makes without a rewrite (varchar to a longer "
        "varchar or to text, numeric to a larger precision with the same scale).",
)

_REWRITE = ("PostgreSQL rewrites the whole table and rebuilds its indexes under an ACCESS EXCLUSIVE lock, "
            "blocking reads and writes until it finishes")

_FIX_UNKNOWN = ("Pass existing_type= to op.alter_column so the change can be judged; if it does rewrite, add a "
                "new column, backfill it in batches, switch the code, then drop the old column.")

_FIX_STANDIN = ("Review it where the application's column types are importable (its package installed), so the "
                "change can be judged; if it does rewrite, add a new column, backfill it in batches, switch the "
                "code, then drop the old column.")

_FIX_REINDEX = ("On a large indexed table, add a new column of the new type, backfill it in batches, build its "
                "indexes CONCURRENTLY, switch the code, then drop the old column; on a small table the rebuild is "
                "quick and this can be suppressed.")

_FIX_TIMEZONE = ("Run op.execute(\"SET LOCAL TimeZone = 'UTC'\") just before the change (PostgreSQL 12+): the table "
                 "is then not rewritten and existing values are read as UTC; indexes on the column are still "
                 "rebuilt, so on a large indexed table add a new timestamptz column and backfill it instead.")


@RULE.check
def check(view: RevisionView) -> Iterator[Hit]:
    pending: list[tuple[bool, Hit]] = []
    for statement, action in view.actions(A.AlterColumnType):
        if action.new_type is None or statement.operation.batch_recreate:
            continue
        if view.holds_no_rows(statement, action.table):
            continue
        hit = _judge(view, statement, action)
        if hit is not None:
            pending.append((converts_to_enum(view, statement, action), hit))
    # The engine keeps one finding per rule per statement. Conversions to an enum type go last so that, in an
    # ALTER TABLE changing several columns, the finding kept is one enum-recreate does not replace.
    for _enum, hit in sorted(pending, key=lambda item: (item[1].statement.index, item[0])):
        yield hit


def _judge(view: RevisionView, statement: Statement, action: A.AlterColumnType) -> Hit | None:
    new = action.new_type
    assert new is not None
    column = f"{action.table}.{action.column}"
    key = ("column", action.table, action.column)
    old, source = view.old_column_type_evidence(statement, action)
    change = f"changes column {column}" + (f" from {old}" if old is not None else "") + f" to {new}"
    if source == "downgrade" and old is not None and old.known:
        change += f" ({old} is the type the revision's downgrade() changes it back to)"
    if action.using and not is_plain_using(using_expression(statement.node, action.column), action.column, new):
        return view.hit(statement, f"{change} with a USING expression: every row is recomputed, so {_REWRITE}",
                        key=key)
    if not new.known or (old is not None and not old.known):
        return _unknown_hit(view, statement, action, change, key, old)
    if old is None:
        if may_avoid_rewrite(new):
            return view.hit(statement,
                            f"{change}, but its current type is unknown (no existing_type=, table not created by "
                            f"any revision reviewed): unless the change keeps the stored values (varchar to a "
                            f"longer varchar or text, a larger numeric precision...), {_REWRITE}",
                            key=key, fix=_FIX_UNKNOWN, severity="warning")
        return view.hit(statement,
                        f"{change}; its current type is unknown (no existing_type=, table not created by any "
                        f"revision reviewed), and unless it already is {new}, {_REWRITE}",
                        key=key, fix=_FIX_UNKNOWN)
    verdict = classify(old, new)
    if verdict in (Change.SAME, Change.NO_REWRITE):
        return None
    if verdict is Change.TIMEZONE:
        return _timezone_hit(view, statement, change, key)
    if verdict is Change.REINDEX:
        if not column_may_be_indexed(statement, action.table, action.column):
            return None  # the stored values stay as they are and no index covers the column: catalog only
        return view.hit(statement,
                        f"{change}: {old} and {new} share their stored form (the cast between them is declared "
                        "WITHOUT FUNCTION), so the table is not rewritten, but the column's operator class "
                        "changes and every index on the column is rebuilt under an ACCESS EXCLUSIVE lock, "
                        "blocking reads and writes while they build", key=key, fix=_FIX_REINDEX,
                        severity="warning")
    return view.hit(statement, f"{change}: {_REWRITE}", key=key)


def _unknown_hit(view: RevisionView, statement: Statement, action: A.AlterColumnType, change: str,
                 key: tuple[object, ...], old: A.SqlType | None) -> Hit:
    """One side is a type from a module not installed here: whether the stored values stay valid is unknown,
    so the finding says so (a warning), instead of guessing from the stand-in's name."""
    unknown = [t for t in (old, action.new_type) if t is not None and not t.known]
    modules = ", ".join(dict.fromkeys(t.standin or t.name for t in unknown))
    return view.hit(statement,
                    f"{change}; the SQL type of {modules} is unknown here (its module is not installed), so "
                    f"whether PostgreSQL keeps the stored values cannot be judged: unless the change keeps them, "
                    f"{_REWRITE}", key=key, fix=_FIX_STANDIN, severity="warning")


def _timezone_hit(view: RevisionView, statement: Statement, change: str, key: tuple[object, ...]) -> Hit:
    """timestamp <-> timestamptz: 12+ skips the rewrite when the session TimeZone has a fixed zero offset;
    indexes on the column are rebuilt in every case (checked on 15)."""
    if not view.pg_version.at_least(12):
        return view.hit(statement, f"{change}: before PostgreSQL 12 this always converts every value, so "
                                   f"{_REWRITE}", key=key)
    if _timezone_is_utc(view, statement):
        if not column_may_be_indexed(statement, *key[1:]):  # type: ignore[arg-type]
            return None  # no rewrite and no index to rebuild: a catalog change only
        return view.hit(statement,
                        f"{change} with TimeZone set to UTC: the table is not rewritten, but every index on the "
                        "column is rebuilt under an ACCESS EXCLUSIVE lock, blocking reads and writes while they "
                        "build", key=key, fix=_FIX_TIMEZONE, severity="warning")
    return view.hit(statement,
                    f"{change}: PostgreSQL skips the table rewrite only when the session TimeZone is UTC; with any "
                    "other TimeZone it reinterprets every value in that zone and rewrites the table under an "
                    "ACCESS EXCLUSIVE lock, and indexes on the column are rebuilt either way",
                    key=key, fix=_FIX_TIMEZONE, severity="warning")


def _timezone_is_utc(view: RevisionView, statement: Statement) -> bool:
    """The last ``SET [LOCAL] TimeZone`` before the statement in this revision chose UTC (a SET LOCAL only
    counts inside the same transaction; RESET or SET ... DEFAULT forgets it)."""
    utc = False
    for other in view.statements:
        if other is statement:
            break
        for action in other.actions:
            if not isinstance(action, A.SetVariable) or action.name != "timezone":
                continue
            if action.local and other.transaction != statement.transaction:
                continue
            utc = sets_utc(action.value)
    return utc
