"""hidden-rename: a drop plus an identical add in one revision, which is how autogenerate writes a rename.

Autogenerate cannot tell a rename from a drop and an add, so renaming a model attribute or table produces
``op.add_column`` + ``op.drop_column`` (or ``op.create_table`` + ``op.drop_table``). Run as written, the old
values are deleted and the new column or table starts empty. The finding replaces the plain drop-column /
drop-table finding for the same object, because it names the real problem.

Same type alone is weak evidence: revisions that redesign a table (two columns folded into one, a column
replaced by a link table) or that copy the values across themselves look the same at a glance, and calling
them data loss is the error a team stops reading. So the rule needs the whole pattern: exactly one dropped
and one added object that could match (both sides' types known, nothing else of that type), nothing in the
revision that copies or fills them, no emptying of the table; autogenerate's ``downgrade()`` (re-add the old,
drop the new) is named when it is there. Anything less is left to drop-column / drop-table.
"""

from __future__ import annotations

import re

from dataclasses import dataclass
from typing import Iterable, Iterator, Mapping

from migsafe.model import Statement
from migsafe.rules.base import ActionT, Hit, RevisionView, Rule
from migsafe.rules.drop_table import created_in_this_deploy
from migsafe.schema import Column, add_column_fails_on_rows
from migsafe.sql import actions as A
from migsafe.sql.data_flow import fills_column, fills_table, reads_column, reads_table

RULE = Rule(
    id="hidden-rename",
    severity="error",
    summary="A column or table is dropped and an identical one added in the same revision: autogenerate's "
            "rename, which deletes the data",
    fix="If you meant a rename, replace the add/drop pair with op.alter_column(..., new_column_name=...) or "
        "op.rename_table(...) (see rename-column / rename-table to do it without breaking running code); if the "
        "data really should go, suppress this finding.",
    supersedes=("drop-column", "drop-table"),
)

ColumnTypes = Mapping[str, A.SqlType | None]  # None: a column whose type is unknown


def may_be_same_type(a: A.SqlType | None, b: A.SqlType | None) -> bool:
    """An unknown type may be any type: such a column is a possible partner, which makes a pair ambiguous."""
    return _unknown(a) or _unknown(b) or same_type(a, b)


def _unknown(sql_type: A.SqlType | None) -> bool:
    """No type at all, or a stand-in for a type from a module that is not installed (``SqlType.known`` is
    False: the SQL type it would render is unknown)."""
    return sql_type is None or not getattr(sql_type, "known", True)


def same_type(a: A.SqlType | None, b: A.SqlType | None) -> bool:
    """Types are compared as PostgreSQL names them (``sa.String(50)`` and the reflected ``sa.VARCHAR(50)``
    both become ``varchar(50)``); an unknown type is no evidence either way. A type written without a schema
    lives in the default schema, so ``status`` and ``public.status`` are the same enum."""
    if a is None or b is None or not a.known or not b.known:  # a stand-in's SQL type is unknown too
        return False
    return (a.qname, a.mods, a.array) == (b.qname, b.mods, b.array)


@RULE.check
def check(view: RevisionView) -> Iterator[Hit]:
    yield from _column_renames(view)
    yield from _table_renames(view)


def _user_actions(view: RevisionView, kind: type[ActionT]) -> Iterator[tuple[Statement, ActionT]]:
    """Actions the user asked for: a batch recreate's internal CREATE/DROP of the table copy are not."""
    for statement, action in view.actions(kind):
        if not statement.operation.batch_recreate:
            yield statement, action


# -- columns -----------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _DroppedColumn:
    statement: Statement
    table: A.QName
    name: str
    type: A.SqlType | None
    default: str | None = None  # its server default, when the model or downgrade() says


def _column_renames(view: RevisionView) -> Iterator[Hit]:
    if any(True for _ in _user_actions(view, A.RenameColumn)):
        # The revision renames columns the right way (alter_column(new_column_name=...), RENAME COLUMN), which
        # autogenerate never writes: its author thought about renames, and a drop + add beside them is meant.
        # drop-column still reports the drop.
        return
    added = [action for _, action in _user_actions(view, A.AddColumn) if not action.column.generated_stored]
    dropped = [_DroppedColumn(statement, drop.table, drop.column, *_dropped_column(view, statement, drop))
               for statement, drop in _user_actions(view, A.DropColumn)
               if not view.is_new_table(statement, drop.table)]
    for table in dict.fromkeys(d.table for d in dropped):
        table_added = [a.column for a in added if a.table == table]
        table_dropped = [d for d in dropped if d.table == table]
        # A name both dropped and added is a re-create (a type change written as drop + add): drop-column
        # reports it, and neither half is a partner for another column.
        recreated = {c.name for c in table_added} & {d.name for d in table_dropped}
        table_added = [c for c in table_added if c.name not in recreated]
        table_dropped = [d for d in table_dropped if d.name not in recreated]
        for old in table_dropped:
            new = _only_partner(old, table_added, table_dropped)
            if new is None or _filled_by_default(old, new) \
                    or _data_kept(view, old.statement, table, old.name, new.name):
                continue
            if _links_differ(view, old.statement, table, old.name, new.name):
                continue
            if _related_rival(old.name, new.name, [d.name for d in table_dropped], [c.name for c in table_added]):
                continue
            yield _column_hit(view, old, new, _failing_add(view, old.statement, table))


def _related_rival(old: str, new: str, dropped: list[str], added: list[str]) -> bool:
    """Another column of any type, dropped or added beside the pair, whose name relates it to the pair as
    much: ``icon_shape`` and ``icon_color`` dropped for ``icon_name`` (two folded into one), ``price`` dropped
    for ``price_amount`` and ``price_currency`` (one split in two). A redesign, not a rename; drop-column
    reports the drop."""
    return any(other != old and names_related(other, new) for other in dropped) \
        or any(other != new and names_related(old, other) for other in added)


def _only_partner(old: _DroppedColumn, added: list[A.ColumnSpec],
                  dropped: list[_DroppedColumn]) -> A.ColumnSpec | None:
    """The added column that is ``old`` renamed, when the pairing is one to one: the only added column that
    may have its type, that type known on both sides and the same, and ``old`` the only dropped column that
    may have it. Two dropped columns against one added one (or the reverse) is a redesign, not a rename."""
    if _unknown(old.type):
        return None
    partners = [column for column in added if may_be_same_type(column.type, old.type)]
    if len(partners) != 1 or not same_type(partners[0].type, old.type):
        return None
    new = partners[0]
    rivals = [other for other in dropped if other is not old and may_be_same_type(other.type, new.type)]
    return None if rivals else new


def _filled_by_default(old: _DroppedColumn, new: A.ColumnSpec) -> bool:
    """True when the added column gets a value in every existing row that the author chose: a server default
    (or a serial or identity sequence), like ``UPDATE t SET new = 'x'``. A soft-delete flag added
    ``NOT NULL DEFAULT false`` is a new column, not the dropped one renamed. Unless the dropped column had that
    same default: autogenerate copies a model's ``server_default`` into the ``add_column`` it writes for a
    rename it did not recognise."""
    if new.leaves_rows_null:
        return False
    return not (new.default_sql is not None and old.default is not None
                and _same_default(new.default_sql, old.default))


def _same_default(a: str, b: str) -> bool:
    return " ".join(a.lower().split()) == " ".join(b.lower().split())


def _data_kept(view: RevisionView, drop: Statement, table: A.QName, old: str, new: str) -> bool:
    """True when the revision itself shows that the values are handled: a statement reads the old column (an
    ``UPDATE`` or ``INSERT ... SELECT`` copying it, a ``SELECT`` a Python loop copies from), fills the new one
    (whatever from: its values are then the author's choice), or the table is emptied (no rows to lose)."""
    if view.holds_no_rows(drop, table, proven_by_failure=False):
        return True  # emptied earlier in the transaction, which may span revisions
    cascades_from = _referenced(view, drop, table)
    for statement in view.statements:
        if statement is drop:
            continue
        if reads_column(statement, table, old) or fills_column(statement, table, new) \
                or _empties(statement, table, cascades_from):
            return True
    return False


def _failing_add(view: RevisionView, drop: Statement, table: A.QName) -> str | None:
    """The ``ADD COLUMN ... NOT NULL`` without a default on ``table`` in the drop's transaction, which
    PostgreSQL aborts on a table with a row (as "the ADD COLUMN of 'c' at line N"): as written, the revision
    either fails there or finds the table empty, so the drop loses nothing yet. None when there is none."""
    for statement in view.statements:
        if _proves_empty(statement, table, drop):
            column = next(a.column.name for a in statement.actions if isinstance(a, A.AddColumn)
                          and a.table == table and add_column_fails_on_rows(a, statement.enums_before))
            return f"the ADD COLUMN of {column!r} at line {statement.line}"
    if view.holds_no_rows(drop, table):
        return "an earlier ADD COLUMN of this deploy"
    return None


def _links_differ(view: RevisionView, drop: Statement, table: A.QName, old: str, new: str) -> bool:
    """True when the two columns are links of different kinds, which a rename keeps: the new column gets a
    foreign key to another table than the old one had, or one the old column did not have (the schema model
    knows its constraints), or the table the old column referenced is dropped in the same revision. A
    redesign replacing one relationship with another, not a rename."""
    # The table as the revision found it: a foreign key on the old column is often dropped just before it.
    known = next((statement.tables_before[table] for statement in view.statements
                  if table in statement.tables_before), None) or drop.tables_before.get(table)
    old_targets = {c.references for c in known.constraints
                   if c.kind == "foreign_key" and old in c.columns} if known is not None else set()
    new_targets = {action.constraint.references for _, action in _user_actions(view, A.AddConstraint)
                   if action.table == table and action.constraint.kind == "foreign_key"
                   and new in action.constraint.columns}
    dropped_tables = {action.table for _, action in _user_actions(view, A.DropTable)}
    if old_targets & dropped_tables:
        return True
    if new_targets and old_targets and not (new_targets & old_targets):
        return True
    return bool(new_targets) and not old_targets and known is not None and known.created_in is not None


def _referenced(view: RevisionView, statement: Statement, table: A.QName) -> frozenset[A.QName]:
    """The tables ``table``'s foreign keys reference: ``TRUNCATE`` of one of them ``CASCADE`` empties it too."""
    known = view.table_before(statement, table)
    if known is None:
        return frozenset()
    return frozenset(c.references for c in known.constraints if c.kind == "foreign_key" and c.references)


def _empties(statement: Statement, table: A.QName, cascades_from: frozenset[A.QName] = frozenset()) -> bool:
    """``TRUNCATE table``, ``TRUNCATE`` of a table it references with ``CASCADE``, or ``DELETE FROM table``
    without ``WHERE``."""
    for action in statement.actions:
        if isinstance(action, A.Truncate) and (action.table == table
                                                or (action.cascade and action.table in cascades_from)):
            return True
        if isinstance(action, A.DataChange) and action.kind == "DELETE" and not action.has_where \
                and action.table == table:
            return True
    return False


def _proves_empty(statement: Statement, table: A.QName, drop: Statement) -> bool:
    """An ``ADD COLUMN ... NOT NULL`` without a default on ``table`` in the drop's transaction: PostgreSQL
    aborts it on a table with a row, so if the revision succeeds the table held none, and the lock keeps it
    so until commit (not-null-without-default reports the ADD). Nothing is lost by the drop."""
    if statement.transaction is None or statement.transaction != drop.transaction:
        return False
    return any(isinstance(action, A.AddColumn) and action.table == table
               and add_column_fails_on_rows(action, statement.enums_before) for action in statement.actions)


def _column_hit(view: RevisionView, old: _DroppedColumn, new: A.ColumnSpec, failing: str | None) -> Hit:
    table = old.table
    defaulted = not new.leaves_rows_null  # with the default the dropped column had (else no finding)
    fills = f"fills {new.name!r} otherwise than with that default" if defaulted else f"fills {new.name!r}"
    evidence = [f"the only {old.type} column dropped or added on {table}"]
    if defaulted:
        evidence.append(f"{new.name!r} gets the default {new.default_sql} that {old.name!r} had")
    evidence.append(f"nothing in the revision copies {old.name!r} into {new.name!r}, {fills} or empties {table}")
    if _column_signature(view, old, new.name):
        evidence.append(f"downgrade() re-adds {old.name!r} as {old.type} and drops {new.name!r}")
    related = names_related(old.name, new.name)
    if related:
        evidence.append(f"the names share {related!r}")
    starts = f"every row of {new.name!r} gets the default instead" if defaulted else f"{new.name!r} starts empty"
    found = (f"drops column {old.name!r} of table {table} and adds {new.name!r} of the same type {old.type} in the "
             f"same revision ({'; '.join(evidence)}): this is how autogenerate writes a rename")
    alter = f"op.alter_column({table.name!r}, {old.name!r}, new_column_name={new.name!r}{_schema_kw(table)})"
    deletes = f"PostgreSQL deletes every value of {old.name!r} (ACCESS EXCLUSIVE lock) while {starts}"
    severity: str | None = "warning"
    if not related and failing is None:
        # Type and position alone: as often a redesign (a new field replacing an unrelated old one) as a
        # rename. Say both, as a warning; the drop itself is certain.
        message = (f"{found}, but the names share nothing, so it may as well be a redesign: if {new.name!r} "
                   f"replaces {old.name!r}, {deletes}; if they are unrelated, this is a plain drop (see drop-column)")
        fix = (f"If this is a rename, replace the add_column/drop_column pair with {alter}; if not, deploy the "
               "drop after the code stops using the column and suppress this finding.")
    elif failing is not None:
        # With a row in the table the revision stops at that ADD; without one there is nothing to lose. The
        # rename is still wrong, and the usual fix of the ADD (a default, or nullable) would lose the values.
        hedge = "" if related else (f"; the names share nothing, so it may as well be a redesign, and then this "
                                    f"is a plain drop (see drop-column)")
        message = (f"{found}{hedge}. As written it loses nothing: {failing} is NOT NULL without a default, which "
                   f"PostgreSQL aborts on a table with rows (not-null-without-default); but once that ADD is made "
                   f"to pass (a default, or nullable), {'if it is a rename, ' if not related else ''}{deletes}")
        fix = (f"{'If this is a rename, replace' if not related else 'Replace'} the add_column/drop_column pair "
               f"with {alter} (see rename-column to do it without breaking running code), which also keeps the "
               "column's values; if the data really should go, suppress this finding.")
    else:
        severity = None
        message = f"{found}, and {deletes}"
        fix = (f"If this is a rename, replace the add_column/drop_column pair with {alter} (see rename-column to "
               "do it without breaking running code); if the data really should go, suppress this finding.")
    return view.hit(old.statement, message, key=("column", table, old.name), fix=fix, severity=severity)


# Name parts too common to relate two columns on their own.
_GENERIC_PARTS = frozenset({"id", "at", "on", "by", "is", "has", "of", "to", "the", "and", "key", "num", "no",
                            "in", "usd", "eur", "pct", "percent", "ms", "sec", "secs", "seconds", "minutes",
                            "hours", "days", "bytes", "count", "total", "amount", "url", "date", "time", "ts",
                            "json", "flag"})


def names_related(old: str, new: str) -> str | None:
    """What two column names share that makes one the other renamed: a word (``name`` / ``full_name``,
    ``cache_project_id`` / ``cache_key``), one name inside the other (``descr`` / ``description``) or a word
    inside a word (``nickname`` / ``display_name``). None when the names share nothing (``prompt_template`` /
    ``task_type``): then type and position are the only evidence."""
    a, b = old.lower(), new.lower()
    if len(a) >= 3 and len(b) >= 3 and (a in b or b in a):
        return a if a in b else b
    mine, theirs = _name_parts(old) - _GENERIC_PARTS, _name_parts(new) - _GENERIC_PARTS
    shared = sorted(mine & theirs, key=len, reverse=True)
    if shared and len(shared[0]) >= 3:
        return shared[0]
    inside = sorted((p for p in mine | theirs if len(p) >= 4
                     and any(p != q and p in q for q in (theirs if p in mine else mine))), key=len, reverse=True)
    return inside[0] if inside else None


def _name_parts(name: str) -> set[str]:
    """``cacheProjectId`` and ``cache_project_id`` alike: {"cache", "project", "id"}."""
    return {part.lower() for part in re.split(r"[_\W]+|(?<=[a-z0-9])(?=[A-Z])", name) if part}


def _column_signature(view: RevisionView, old: _DroppedColumn, new: str) -> bool:
    """Autogenerate's ``downgrade()`` for a rename it did not recognise: re-add the old column with its
    reflected type, drop the new one."""
    actions = view.revision.downgrade_actions or ()
    re_added = any(isinstance(a, A.AddColumn) and a.table == old.table and a.column.name == old.name
                   and same_type(a.column.type, old.type) for a in actions)
    return re_added and any(isinstance(a, A.DropColumn) and a.table == old.table and a.column == new
                            for a in actions)


def _dropped_column(view: RevisionView, statement: Statement,
                    drop: A.DropColumn) -> tuple[A.SqlType | None, str | None]:
    """The dropped column's type and server default. The schema model knows them when the history created the
    column; for a file reviewed alone, autogenerate's ``downgrade()`` re-adds the dropped column with its
    reflected type and default."""
    known = view.table_before(statement, drop.table)
    column = known.column(drop.column) if known is not None else None
    if column is not None and column.type is not None:
        return column.type, column.default_sql
    for action in view.revision.downgrade_actions or ():
        if isinstance(action, A.AddColumn) and action.table == drop.table and action.column.name == drop.column:
            return action.column.type, action.column.default_sql
        if isinstance(action, A.CreateTable) and action.table == drop.table:
            for spec in action.columns:
                if spec.name == drop.column:
                    return spec.type, spec.default_sql
    return None, None


# -- tables ------------------------------------------------------------------------------------------------------
def _table_renames(view: RevisionView) -> Iterator[Hit]:
    created = {action.table: _types(action.columns) for _, action in _user_actions(view, A.CreateTable)
               if not action.as_select}
    dropped = [(statement, drop.table, _dropped_table_columns(view, statement, drop.table))
               for statement, drop in _user_actions(view, A.DropTable)
               if not created_in_this_deploy(view, statement, drop.table)]
    # A table dropped and created under the same name is re-created: drop-table reports it.
    recreated = set(created) & {table for _, table, _ in dropped}
    created = {table: columns for table, columns in created.items() if table not in recreated}
    dropped = [entry for entry in dropped if entry[1] not in recreated]
    for statement, old, old_columns in dropped:
        if old_columns is None or not _all_known(old_columns):
            continue
        partners = [table for table, columns in created.items() if _may_be_same_columns(columns, old_columns)]
        if len(partners) != 1 or not _same_columns(created[partners[0]], old_columns):
            continue
        new = partners[0]
        rivals = [table for _, table, columns in dropped
                  if table != old and (columns is None or _may_be_same_columns(columns, created[new]))]
        if rivals or _rows_kept(view, statement, old, new):
            continue
        evidence = ["the only pair of tables with these columns dropped and created",
                    f"nothing in the revision copies the rows of {old} into {new}, fills {new} or empties {old}"]
        if _table_signature(view, old, new):
            evidence.append(f"downgrade() re-creates {old} and drops {new}")
        yield view.hit(
            statement,
            f"drops table {old} and creates {new} with the same columns in the same revision "
            f"({'; '.join(evidence)}): this is how autogenerate writes a rename, and PostgreSQL deletes every "
            f"row of {old} (ACCESS EXCLUSIVE lock) while {new} starts empty",
            key=("table", old),
            fix=_table_fix(old, new),
        )


def _rows_kept(view: RevisionView, drop: Statement, old: A.QName, new: A.QName) -> bool:
    """As for columns: the rows of the old table are read (``INSERT INTO new SELECT ... FROM old``), the new
    table is filled, or the old one is emptied before it goes."""
    for statement in view.statements:
        if statement is drop:
            continue
        if reads_table(statement, old) or fills_table(statement, new) \
                or _empties(statement, old, _referenced(view, drop, old)) or _proves_empty(statement, old, drop):
            return True
    return view.holds_no_rows(drop, old)


def _table_signature(view: RevisionView, old: A.QName, new: A.QName) -> bool:
    actions = view.revision.downgrade_actions or ()
    return any(isinstance(a, A.CreateTable) and a.table == old for a in actions) \
        and any(isinstance(a, A.DropTable) and a.table == new for a in actions)


def _dropped_table_columns(view: RevisionView, statement: Statement, table: A.QName) -> ColumnTypes | None:
    """The model's columns when the history created the table (a table it only heard of has partial
    columns); otherwise the table ``downgrade()`` re-creates; None when neither says."""
    known = view.table_before(statement, table)
    if known is not None and known.created_in is not None:
        model = _types(known.columns.values())
        if model is not None and _all_known(model):
            return model
    for action in view.revision.downgrade_actions or ():
        if isinstance(action, A.CreateTable) and action.table == table:
            return _types(action.columns)
    return None


def _types(columns: Iterable[A.ColumnSpec | Column]) -> ColumnTypes | None:
    """Column name -> type (None for an unknown type); None when there are no columns."""
    return {column.name: column.type for column in columns} or None


def _all_known(columns: ColumnTypes) -> bool:
    return not any(_unknown(sql_type) for sql_type in columns.values())


def _may_be_same_columns(a: ColumnTypes | None, b: ColumnTypes) -> bool:
    """Same column names, and types that may be the same (a table whose columns are unknown may be anything)."""
    if a is None:
        return True
    return a.keys() == b.keys() and all(may_be_same_type(a[name], b[name]) for name in a)


def _same_columns(a: ColumnTypes | None, b: ColumnTypes) -> bool:
    return a is not None and a.keys() == b.keys() and all(same_type(a[name], b[name]) for name in a)


# -- wording -----------------------------------------------------------------------------------------------------
def _schema_kw(table: A.QName) -> str:
    return "" if table.schema == A.display_default_schema() else f", schema={table.schema!r}"


def _table_fix(old: A.QName, new: A.QName) -> str | None:
    """The exact call when the new table is in the same schema (``rename_table`` cannot move schemas)."""
    if old.schema != new.schema:
        return None
    return (f"If this is a rename, replace the create_table/drop_table pair with "
            f"op.rename_table({old.name!r}, {new.name!r}{_schema_kw(old)}) (see rename-table to do it without "
            "breaking running code); if the data really should go, suppress this finding.")
