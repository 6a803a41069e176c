"""Which column type changes PostgreSQL makes without rewriting the table.

``ALTER TABLE ... ALTER COLUMN ... TYPE`` normally rewrites the whole table and rebuilds its indexes under an
ACCESS EXCLUSIVE lock. PostgreSQL skips the rewrite when the conversion is a no-op on the stored bytes: a
binary-compatible cast (``varchar`` to ``text``) or a length/precision coercion whose support function proves it
cannot change any value (``varchar(50)`` to ``varchar(100)``). Each case below was checked on PostgreSQL 15 by
comparing ``pg_class.relfilenode`` before and after the statement; anything not listed is assumed to rewrite,
which is the safe mistake to make.
"""

from __future__ import annotations

import enum
from typing import Any

from pglast import ast

from migsafe.sql.actions import SqlType
from migsafe.sql.analysis import normalize_type

# Spellings that reach us unnormalized (a quoted or schema-less generic name) mapped to PostgreSQL's own name.
_ALIASES = {
    "int": "int4", "integer": "int4", "smallint": "int2", "bigint": "int8", "decimal": "numeric",
    "character varying": "varchar", "boolean": "bool", "real": "float4", "double precision": "float8",
    "timestamp without time zone": "timestamp", "timestamp with time zone": "timestamptz",
    "time without time zone": "time", "time with time zone": "timetz", "bit varying": "varbit",
}

# Types whose modifier is a length or a fractional-seconds precision: raising it, or removing it, keeps every
# stored value as it is (verified: varchar, varbit, timestamp, timestamptz, time, timetz, interval).
_WIDENABLE = frozenset({"varchar", "varbit", "timestamp", "timestamptz", "time", "timetz", "interval"})

# Fractional-seconds precisions stop at 6: a target precision of 6 is the same as none (checked:
# timestamp to timestamp(6), interval to interval(6), time to time(6) keep the table).
_MAX_PRECISION = 6
_PRECISION_TYPES = frozenset({"timestamp", "timestamptz", "time", "timetz"})

# interval(p) carries the "all fields" mask before the precision; other masks (DAY TO SECOND...) truncate.
_INTERVAL_FULL_RANGE = 0x7FFF

# Target types some other type reaches without a rewrite; used when the old type is unknown.
_REACHABLE_WITHOUT_REWRITE = _WIDENABLE | {"text", "numeric", "inet", "citext"}

# Extension casts declared WITHOUT FUNCTION: the value is relabelled, not converted, so ALTER COLUMN ... TYPE
# keeps the table. The citext extension declares text -> citext, varchar -> citext, citext -> text and
# citext -> varchar that way (bpchar -> citext goes through a function, and to a bounded varchar(n) the length
# check recomputes every value). Checked on PostgreSQL 15 (pg_class.relfilenode): varchar(50), varchar and text
# to citext and back keep the table, but each index on the column is rebuilt (text_ops -> citext_ops); citext
# to varchar(60) and char(10) to citext rewrite it.
_RELABEL_CASTS = frozenset({("text", "citext"), ("varchar", "citext"), ("citext", "text"), ("citext", "varchar")})

# TimeZone settings with a fixed zero UTC offset: with one of these, 12+ converts timestamp <-> timestamptz
# without a rewrite (checked: UTC, Etc/UTC, GMT, Universal, Zulu, 0; Europe/London is not fixed and rewrites).
UTC_ZONES = frozenset({
    "utc", "etc/utc", "gmt", "etc/gmt", "universal", "etc/universal", "zulu", "etc/zulu", "uct", "etc/uct",
    "greenwich", "etc/greenwich", "gmt0", "etc/gmt0", "gmt+0", "gmt-0", "etc/gmt+0", "etc/gmt-0", "0",
})


class Change(enum.Enum):
    SAME = "same"  # nothing to convert
    NO_REWRITE = "no-rewrite"  # the stored bytes stay valid: catalog change only
    REWRITE = "rewrite"  # every row is converted: table rewritten, indexes rebuilt
    TIMEZONE = "timezone"  # timestamp <-> timestamptz: no rewrite on 12+ only when the session TimeZone is UTC
    UNKNOWN = "unknown"  # a type from a module not installed here: which SQL type it is, nobody here knows
    # The stored bytes stay valid but the column's operator class changes: the table is not rewritten, every
    # index on the column (with its type's default operator class) is rebuilt, still under ACCESS EXCLUSIVE.
    REINDEX = "reindex"


def canonical_name(sqltype: SqlType) -> str:
    return _ALIASES.get(sqltype.name, sqltype.name)


def _mods(sqltype: SqlType) -> tuple[int | str, ...]:
    mods = sqltype.mods
    if canonical_name(sqltype) == "numeric" and len(mods) == 1:
        return (mods[0], 0)  # numeric(p) is numeric(p,0)
    return mods


def same_type(a: SqlType, b: SqlType) -> bool:
    """Same type, same modifiers. A user type named without a schema is taken to be in ``public``. A type of
    unknown SQL is the same as nothing: two columns of one stand-in class may still differ (its arguments)."""
    if not a.known or not b.known:
        return False
    return (canonical_name(a) == canonical_name(b) and _mods(a) == _mods(b) and a.array == b.array
            and (a.schema or "public") == (b.schema or "public"))


def classify(old: SqlType, new: SqlType) -> Change:
    """What PostgreSQL does to the table when a column of type ``old`` becomes ``new`` (no USING clause)."""
    if not old.known or not new.known:
        return Change.UNKNOWN
    if same_type(old, new):
        return Change.SAME
    if old.array or new.array:
        # Array element changes go through an array coercion (checked: varchar(10)[] to text[] rewrites).
        return Change.REWRITE
    before, after = canonical_name(old), canonical_name(new)
    if (before, after) in _RELABEL_CASTS and not (after == "varchar" and new.mods):
        # An extension's type (citext) lives in whatever schema the extension was created in.
        return Change.REINDEX
    if old.schema or new.schema:
        # User-defined types (enums, domains) convert through I/O.
        return Change.REWRITE
    if {before, after} == {"timestamp", "timestamptz"}:
        # A precision below 6 on the target adds a rounding step the planner cannot prove harmless: rewrite
        # even in UTC (checked: timestamp to timestamptz(3) rewrites, to timestamptz(6) does not).
        if new.mods and not (len(new.mods) == 1 and _ge(new.mods[0], _MAX_PRECISION)):
            return Change.REWRITE
        return Change.TIMEZONE
    if before == after:
        return Change.NO_REWRITE if _widens(before, _mods(old), _mods(new)) else Change.REWRITE
    if before == "varchar" and after == "text":
        return Change.NO_REWRITE
    if before == "text" and after == "varchar" and not new.mods:
        return Change.NO_REWRITE
    if before == "cidr" and after == "inet":
        return Change.NO_REWRITE
    return Change.REWRITE


def _widens(name: str, old: tuple[int | str, ...], new: tuple[int | str, ...]) -> bool:
    if not new:
        # Unbounded target: varchar, numeric, varbit, timestamp (max precision)... keeps every value.
        return name in _WIDENABLE or name == "numeric"
    if name in _PRECISION_TYPES and len(new) == 1 and _ge(new[0], _MAX_PRECISION):
        return True
    if name == "interval" and len(new) == 2 and new[0] == _INTERVAL_FULL_RANGE:
        if not old or (len(old) == 2 and old[0] == _INTERVAL_FULL_RANGE):
            return _ge(new[1], _MAX_PRECISION) or (bool(old) and _ge(new[1], old[1]))
        return False
    if not old:
        return False  # bounded from unbounded: every value must be checked or rounded
    if name == "numeric":
        # Larger precision with the same scale keeps the stored digits; any scale change recomputes them.
        return len(old) == len(new) == 2 and new[1] == old[1] and _ge(new[0], old[0])
    if name in _WIDENABLE:
        return len(old) == len(new) == 1 and _ge(new[0], old[0])
    return False


def _ge(a: int | str, b: int | str) -> bool:
    return isinstance(a, int) and isinstance(b, int) and a >= b


def type_before_change(hint: SqlType | None, modelled: SqlType | None, new: SqlType | None,
                       reverted: SqlType | None = None) -> SqlType | None:
    """A column's type just before ``ALTER COLUMN ... TYPE new`` (see :func:`old_type_evidence`)."""
    return old_type_evidence(hint, modelled, new, reverted)[0]


def old_type_evidence(hint: SqlType | None, modelled: SqlType | None, new: SqlType | None,
                      reverted: SqlType | None = None) -> tuple[SqlType | None, str | None]:
    """A column's type just before ``ALTER COLUMN ... TYPE new``, and where it comes from: ``"existing_type"``
    (Alembic's, ``hint``: the author said so), ``"model"`` (the schema built from the earlier revisions) or
    ``"downgrade"`` (``reverted``: the type the revision's own ``downgrade()`` changes the column back to).

    A known type beats one from a module not installed here (a stand-in, whose SQL nobody here knows), in that
    order of trust. One exception: when the model says the column already has the new type, a conversion
    repeated by a later revision (or twice in one) finds the column converted, whatever ``existing_type`` the
    author copied, and PostgreSQL neither rewrites the table nor rebuilds its indexes (checked on 15: ``TYPE
    jsonb USING c::jsonb`` on a jsonb column keeps every relfilenode). Built-in types only: an enum or domain
    can be dropped and made again under the same name, and the column then has the old one. A ``downgrade()``
    that "restores" the new type itself reverts nothing and is no evidence."""
    if modelled is not None and new is not None and not modelled.schema and same_type(modelled, new):
        return modelled, "model"
    if reverted is not None and new is not None and same_type(reverted, new):
        reverted = None
    candidates = ((hint, "existing_type"), (modelled, "model"), (reverted, "downgrade"))
    for candidate, source in candidates:
        if candidate is not None and candidate.known:
            return candidate, source
    for candidate, source in candidates:
        if candidate is not None:
            return candidate, source
    return None, None


def may_avoid_rewrite(new: SqlType) -> bool:
    """Whether some other type converts to ``new`` without a rewrite (so an unknown old type leaves doubt).
    A type of unknown SQL may be anything, ``text`` or the column's own type included."""
    if not new.known:
        return True
    return not new.array and not new.schema and canonical_name(new) in _REACHABLE_WITHOUT_REWRITE


def using_expression(node: Any, column: str) -> Any | None:
    """The USING expression of ``ALTER COLUMN <column> TYPE`` in an ALTER TABLE AST node, if there is one."""
    for cmd in getattr(node, "cmds", None) or ():
        if getattr(cmd, "name", None) == column and isinstance(getattr(cmd, "def_", None), ast.ColumnDef):
            return cmd.def_.raw_default
    return None


def is_plain_using(expr: Any, column: str, new_type: SqlType | None) -> bool:
    """``USING col`` or ``USING col::<new type>``: PostgreSQL sees the same conversion as without USING.

    Checked: ``TYPE varchar(200) USING c`` and ``USING c::varchar(200)`` on a varchar(100) column keep the
    table; ``USING c::text`` (a detour through another type) or ``USING c + 0`` rewrite it. When ``new_type``
    is unknown (from a module not installed), any ``USING c::<type>`` counts as plain: it may be that type.
    """
    if isinstance(expr, ast.TypeCast):
        cast = normalize_type(expr.typeName)
        # To a type of unknown SQL (a stand-in), ``USING c::uuid`` may be that very type: as unknown as the
        # change without USING, which is how callers then judge it.
        unknown = new_type is not None and not new_type.known
        if not unknown and (cast is None or new_type is None or not same_type(cast, new_type)):
            return False
        expr = expr.arg
    if isinstance(expr, ast.ColumnRef) and expr.fields:
        last = expr.fields[-1]
        return isinstance(last, ast.String) and last.sval == column
    return False


def sets_utc(value: str | None) -> bool:
    """Whether a ``SET TimeZone`` value (as deparsed SQL) is a fixed zero-offset zone."""
    if value is None:
        return False
    return value.strip().strip("'\"").strip().lower() in UTC_ZONES
