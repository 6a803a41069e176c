"""Which table locks a statement takes, and whether it does slow work while holding them.

The static counterpart of what replay observes in ``pg_locks``: rules that reason about a whole transaction
(several strong locks held together, a back-fill under a DDL lock, an ACCESS EXCLUSIVE request without a
``lock_timeout``) need to know, per action, which mode it takes on which table, and which actions read or
write every row. Lock modes are spelled as ``pg_locks.mode`` spells them, with names and strength from
:mod:`migsafe.pg_locks`.

Checked on PostgreSQL 15 by reading ``pg_locks`` inside a transaction after each statement:

- ``ADD FOREIGN KEY`` (validated or ``NOT VALID``): SHARE ROW EXCLUSIVE on both tables.
- ``CREATE TABLE ... REFERENCES p``: SHARE ROW EXCLUSIVE on ``p``.
- ``DROP CONSTRAINT`` of a foreign key, ``DROP COLUMN`` / ``ALTER COLUMN ... TYPE`` of a foreign-key column,
  ``DROP TABLE`` of a table with a foreign key: ACCESS EXCLUSIVE on the referenced table as well.
- ``DROP INDEX``: ACCESS EXCLUSIVE on the index's table. ``CREATE INDEX``: SHARE.
- ``VALIDATE CONSTRAINT``: SHARE UPDATE EXCLUSIVE (and ROW SHARE on the referenced table).
- ``UPDATE``: ROW EXCLUSIVE. ``CREATE TRIGGER``, ``DISABLE TRIGGER``: SHARE ROW EXCLUSIVE.
- ``ALTER TABLE ... SET (fillfactor = ...)``, ``COMMENT ON TABLE``: SHARE UPDATE EXCLUSIVE.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Callable, Iterable, Mapping

from pglast import ast

from migsafe.model import transaction_members
from migsafe.pg_locks import DANGEROUS, MODES, strength
from migsafe.sql import actions as A
from migsafe.sql.actions import QName
from migsafe.sql.analysis import ParsedStatement, parse, qualified
from migsafe.sql.analysis import walk_nodes as _walk
from migsafe.sql.type_changes import (Change, classify, is_plain_using, may_avoid_rewrite, type_before_change,
                                      using_expression)

ACCESS_EXCLUSIVE = "AccessExclusiveLock"
EXCLUSIVE = "ExclusiveLock"
SHARE_ROW_EXCLUSIVE = "ShareRowExclusiveLock"
SHARE = "ShareLock"
SHARE_UPDATE_EXCLUSIVE = "ShareUpdateExclusiveLock"
ROW_EXCLUSIVE = "RowExclusiveLock"
ACCESS_SHARE = "AccessShareLock"

# Locks that stop ordinary application writes (and, for ACCESS EXCLUSIVE, reads) on the table.
STRONG = DANGEROUS

# Actions added by later parser work; looked up by name so this module does not depend on them existing.
_Truncate = getattr(A, "Truncate", None)
_LockTable = getattr(A, "LockTable", None)
_RefreshMatView = getattr(A, "RefreshMatView", None)
_RewriteTable = getattr(A, "RewriteTable", None)
_Reindex = getattr(A, "Reindex", None)
_DetachPartition = getattr(A, "DetachPartition", None)

# ALTER TABLE forms that take ACCESS EXCLUSIVE on their table (PostgreSQL docs, ALTER TABLE, and pg_locks).
_ALTER_ACCESS_EXCLUSIVE = (A.AddColumn, A.RenameColumn, A.SetNotNull, A.DropNotNull, A.SetDefault, A.RenameTable)

# ALTER TABLE subcommands (``Other.kind``, the AlterTableType name without ``AT_``) that take less than
# ACCESS EXCLUSIVE. Anything not listed is taken to need ACCESS EXCLUSIVE, which is the safe mistake.
_ALTER_WEAKER = {
    "SetStatistics": SHARE_UPDATE_EXCLUSIVE,
    "SetOptions": SHARE_UPDATE_EXCLUSIVE,
    "ResetOptions": SHARE_UPDATE_EXCLUSIVE,
    "SetRelOptions": SHARE_UPDATE_EXCLUSIVE,
    "ResetRelOptions": SHARE_UPDATE_EXCLUSIVE,
    "ClusterOn": SHARE_UPDATE_EXCLUSIVE,
    "DropCluster": SHARE_UPDATE_EXCLUSIVE,
    "AttachPartition": SHARE_UPDATE_EXCLUSIVE,
    "EnableTrig": SHARE_ROW_EXCLUSIVE,
    "EnableAlwaysTrig": SHARE_ROW_EXCLUSIVE,
    "EnableReplicaTrig": SHARE_ROW_EXCLUSIVE,
    "EnableTrigAll": SHARE_ROW_EXCLUSIVE,
    "EnableTrigUser": SHARE_ROW_EXCLUSIVE,
    "DisableTrig": SHARE_ROW_EXCLUSIVE,
    "DisableTrigAll": SHARE_ROW_EXCLUSIVE,
    "DisableTrigUser": SHARE_ROW_EXCLUSIVE,
}


@dataclass(frozen=True)
class TableLock:
    """One table-level lock a statement takes."""

    table: QName
    mode: str  # as pg_locks spells it: "AccessExclusiveLock", "ShareLock", ...
    action: A.Action | None = None  # the action that takes it, when there is one
    # True when the table is not known and ``table`` names the index whose table is locked (DROP INDEX of an
    # index no reviewed revision created).
    via_index: bool = False
    # Set when a foreign key is dropped whose referenced table the model does not know (a revision reviewed
    # without the one that created it): ``table`` is a stand-in; the real one is some other table.
    referenced_by: str | None = None

    @property
    def unknown_table(self) -> bool:
        return self.via_index or self.referenced_by is not None

    def describe(self) -> str:
        if self.via_index:
            return f"the table of index {self.table}"
        if self.referenced_by is not None:
            return f"the table foreign key {self.referenced_by} references"
        return f"table {self.table}"

    @property
    def strong(self) -> bool:
        return self.mode in STRONG


def mode_name(mode: str) -> str:
    """``AccessExclusiveLock`` -> ``ACCESS EXCLUSIVE``, as the documentation and error messages spell it."""
    words: list[str] = []
    for char in mode.removesuffix("Lock"):
        if char.isupper() and words:
            words.append(" ")
        words.append(char.upper())
    return "".join(words)


def is_strong(mode: str) -> bool:
    return mode in STRONG


def stronger(a: str, b: str) -> str:
    return a if strength(a) >= strength(b) else b


# -- what a statement does ---------------------------------------------------------------------------------------

def do_block_statements(node: Any, default_schema: str = "public") -> list[ParsedStatement]:
    """The SQL statements of a PL/pgSQL ``DO`` block body, parsed like top-level SQL.

    A migration that wraps DDL or a back-fill in ``DO $$ ... $$`` takes the same locks and does the same work;
    pglast's PL/pgSQL parser finds the embedded statements (also inside IF, LOOP and FOR bodies). Dynamic SQL
    (``EXECUTE 'UPDATE ...'``) is not followed. Never raises: an unparseable body gives nothing.
    """
    if not isinstance(node, ast.DoStmt):
        return []
    body, language = None, "plpgsql"
    for arg in node.args or ():
        if arg.defname == "as":
            body = getattr(arg.arg, "sval", None)
        elif arg.defname == "language":
            language = (getattr(arg.arg, "sval", "") or "").lower()
    if not body or language != "plpgsql":
        return []
    return list(_parse_do_body(body, default_schema))


@lru_cache(maxsize=4096)
def _parse_do_body(body: str, default_schema: str) -> tuple[ParsedStatement, ...]:
    """Cached: every rule asks about the same few DO blocks, for every transaction they belong to."""
    tag = "$migsafe_do$"
    if tag in body:
        return ()
    try:
        from pglast import parse_plpgsql

        tree = parse_plpgsql(f"CREATE FUNCTION migsafe_do() RETURNS void LANGUAGE plpgsql AS {tag}{body}{tag}")
    except Exception:
        return ()
    found: list[ParsedStatement] = []
    for query in _plpgsql_queries(tree):
        found.extend(p for p in parse(query, default_schema) if p.error is None)
    return tuple(found)


def _plpgsql_queries(tree: Any) -> Iterable[str]:
    """SQL text of every ``PLpgSQL_stmt_execsql`` (and the query of ``FOR ... IN <query> LOOP``)."""
    if isinstance(tree, list):
        for item in tree:
            yield from _plpgsql_queries(item)
    elif isinstance(tree, dict):
        for key, value in tree.items():
            if key in ("PLpgSQL_stmt_execsql", "PLpgSQL_stmt_fors") and isinstance(value, dict):
                expr = value.get("sqlstmt") or value.get("query") or {}
                query = expr.get("PLpgSQL_expr", {}).get("query") if isinstance(expr, dict) else None
                if isinstance(query, str):
                    yield query
            yield from _plpgsql_queries(value)


def statement_parts(statement: Any) -> list[tuple[A.Action, Any]]:
    """(action, AST node) pairs for everything the statement does, DO block bodies included."""
    parts: list[tuple[A.Action, Any]] = [(action, statement.node) for action in statement.actions]
    for inner in do_block_statements(statement.node, statement.default_schema):
        parts.extend((action, inner.node) for action in inner.actions)
    return parts


# -- locks -----------------------------------------------------------------------------------------------------

def statement_locks(statement: Any) -> list[TableLock]:
    """Every table lock a recorded :class:`~migsafe.model.Statement` takes (DO block bodies included).

    Tables come from the statement's actions and its schema snapshots (``tables_before``, ``indexes_before``:
    a dropped foreign key also locks the table it referenced; a dropped index locks its table).
    """
    locks: list[TableLock] = []
    operation = getattr(statement, "operation", None)  # its constraint_type, for a dropped constraint
    for action, node in statement_parts(statement):
        locks.extend(action_locks(action, node, statement.tables_before, statement.indexes_before, operation,
                                  statement.default_schema))
    return locks


def action_locks(action: A.Action, node: Any = None, tables_before: Mapping[QName, Any] | None = None,
                 indexes_before: Mapping[QName, Any] | None = None, operation: Any = None,
                 default_schema: str = "public") -> list[TableLock]:
    """The table locks one action takes. ``node`` is the statement's AST (for statements no action models:
    CREATE TRIGGER, VACUUM FULL, CLUSTER, REINDEX); the snapshots name a dropped foreign key's referenced table
    and a dropped index's table; ``operation`` (the recorded operation) says when a dropped constraint the
    model does not know is a foreign key. Only relation locks: an enum's ADD VALUE locks the type, not a
    table."""
    tables_before = tables_before or {}
    indexes_before = indexes_before or {}

    def lock(table: QName, mode: str) -> TableLock:
        return TableLock(table=table, mode=mode, action=action)

    if isinstance(action, A.CreateTable):
        return [lock(c.references, SHARE_ROW_EXCLUSIVE) for c in action.constraints
                if c.references is not None and c.references != action.table]
    if isinstance(action, A.AddConstraint):
        if action.constraint.kind == "foreign_key":
            found = [lock(action.table, SHARE_ROW_EXCLUSIVE)]
            if action.constraint.references not in (None, action.table):
                found.append(lock(action.constraint.references, SHARE_ROW_EXCLUSIVE))  # type: ignore[arg-type]
            return found
        return [lock(action.table, ACCESS_EXCLUSIVE)]
    if isinstance(action, A.DropConstraint):
        table = tables_before.get(action.table)
        found = [lock(action.table, ACCESS_EXCLUSIVE)]
        if table is not None and any(c.name == action.name for c in table.constraints):
            referenced = _foreign_key_targets(table, lambda c: c.name == action.name)
            return found + [lock(t, ACCESS_EXCLUSIVE) for t in referenced]
        if _drops_foreign_key(action.name, operation):
            stand_in = QName(action.table.schema, f"(referenced by {action.name})")
            found.append(TableLock(table=stand_in, mode=ACCESS_EXCLUSIVE, action=action, referenced_by=action.name))
        return found
    if isinstance(action, (A.DropColumn, A.AlterColumnType)):
        referenced = _foreign_key_targets(tables_before.get(action.table),
                                          lambda c: action.column in c.columns)
        return [lock(action.table, ACCESS_EXCLUSIVE)] + [lock(t, ACCESS_EXCLUSIVE) for t in referenced]
    if isinstance(action, A.DropTable):
        referenced = _foreign_key_targets(tables_before.get(action.table), lambda c: True)
        return [lock(action.table, ACCESS_EXCLUSIVE)] + [lock(t, ACCESS_EXCLUSIVE) for t in referenced]
    if isinstance(action, _ALTER_ACCESS_EXCLUSIVE):
        return [lock(action.table, ACCESS_EXCLUSIVE)]  # type: ignore[attr-defined]
    if isinstance(action, A.ValidateConstraint):
        return [lock(action.table, SHARE_UPDATE_EXCLUSIVE)]
    if isinstance(action, A.CreateIndex):
        return [lock(action.table, SHARE_UPDATE_EXCLUSIVE if action.concurrently else SHARE)]
    if isinstance(action, A.DropIndex):
        mode = SHARE_UPDATE_EXCLUSIVE if action.concurrently else ACCESS_EXCLUSIVE
        index = indexes_before.get(action.name)
        named = getattr(operation, "index_table", None)  # drop_index(table_name=...): an index lives beside it
        if index is None and named:
            return [lock(QName(action.name.schema, named), mode)]
        if index is None:  # an index the model does not know, dropped in SQL: its table is unknown
            return [TableLock(table=action.name, mode=mode, action=action, via_index=True)]
        return [lock(index.table, mode)]
    if isinstance(action, A.DataChange):
        return [lock(action.table, ROW_EXCLUSIVE)]
    if _Truncate is not None and isinstance(action, _Truncate):
        return [lock(action.table, ACCESS_EXCLUSIVE)]
    if _LockTable is not None and isinstance(action, _LockTable):
        return [lock(action.table, action.mode if action.mode in MODES else ACCESS_EXCLUSIVE)]
    if _RefreshMatView is not None and isinstance(action, _RefreshMatView):
        return [lock(action.view, EXCLUSIVE if action.concurrently else ACCESS_EXCLUSIVE)]
    if _RewriteTable is not None and isinstance(action, _RewriteTable):
        if action.table is not None:
            return [lock(action.table, ACCESS_EXCLUSIVE)]
        if action.index is not None:
            return [TableLock(table=action.index, mode=ACCESS_EXCLUSIVE, action=action, via_index=True)]
        return []
    if _Reindex is not None and isinstance(action, _Reindex) and action.relation is not None:
        if action.kind == "table":
            return [lock(action.relation, SHARE_UPDATE_EXCLUSIVE if action.concurrently else SHARE)]
        if action.kind == "index" and not action.concurrently:
            # ACCESS EXCLUSIVE on the index (every query that would read it waits), SHARE on its table.
            return [TableLock(table=action.relation, mode=ACCESS_EXCLUSIVE, action=action, via_index=True)]
        return []
    if _DetachPartition is not None and isinstance(action, _DetachPartition):
        parent = SHARE_UPDATE_EXCLUSIVE if action.concurrently else ACCESS_EXCLUSIVE
        return [lock(action.table, parent), lock(action.partition, ACCESS_EXCLUSIVE)]
    if isinstance(action, A.Other):
        return _other_locks(action, node, lock, default_schema)
    return []


def _drops_foreign_key(name: str, operation: Any) -> bool:
    """A constraint the model does not know: ``op.drop_constraint(..., type_="foreignkey")`` says so; for raw
    SQL, PostgreSQL's own naming (``<table>_<column>_fkey``) and the common ``fk_`` convention do."""
    if getattr(operation, "constraint_type", None) == "foreignkey":
        return True
    lowered = (name or "").lower()
    return lowered.endswith(("_fkey", "_fk")) or lowered.startswith("fk_")


def _foreign_key_targets(table: Any, match: Callable[[Any], bool]) -> list[QName]:
    if table is None:
        return []
    return [c.references for c in table.constraints
            if c.kind == "foreign_key" and getattr(c, "references", None) is not None
            and c.references != table.name and match(c)]


def _other_locks(action: A.Other, node: Any, lock: Callable[[QName, str], TableLock],
                 default_schema: str) -> list[TableLock]:
    if action.tables:  # an ALTER TABLE subcommand no action models
        mode = _ALTER_WEAKER.get(action.kind, ACCESS_EXCLUSIVE)
        return [lock(table, mode) for table in action.tables]
    if isinstance(node, ast.CreateTrigStmt) and node.relation is not None:
        return [lock(qualified(node.relation, default_schema), SHARE_ROW_EXCLUSIVE)]
    if isinstance(node, ast.VacuumStmt) and _vacuum_full(node):
        return [lock(qualified(rel.relation, default_schema), ACCESS_EXCLUSIVE)
                for rel in node.rels or () if rel.relation is not None]
    if isinstance(node, ast.ClusterStmt) and node.relation is not None:
        return [lock(qualified(node.relation, default_schema), ACCESS_EXCLUSIVE)]
    if isinstance(node, ast.ReindexStmt) and node.relation is not None and _reindexes_table(node):
        return [lock(qualified(node.relation, default_schema),
                     SHARE_UPDATE_EXCLUSIVE if _concurrent_reindex(node) else SHARE)]
    return []


def _vacuum_full(node: Any) -> bool:
    return bool(node.is_vacuumcmd) and any(o.defname == "full" for o in node.options or ())


def _reindexes_table(node: Any) -> bool:
    return getattr(node.kind, "name", "") == "REINDEX_OBJECT_TABLE"


def _concurrent_reindex(node: Any) -> bool:
    return any(o.defname == "concurrently" for o in getattr(node, "params", None) or ())


def table_is_new(view: Any, statement: Any, table: QName) -> bool:
    """``view.is_new_table`` for any table a statement names, even one outside its ``tables_before``
    snapshot (a table read by INSERT ... SELECT, a table named inside a DO block): then the latest evidence
    from the revision's earlier statements decides, and a table no statement touched is an existing one.
    ``view`` is a :class:`~migsafe.rules.base.RevisionView`."""
    if table in statement.tables_before:
        return bool(view.is_new_table(statement, table))
    new = False
    for other in view.statements:
        if other is statement:
            break
        if table in other.tables_before:
            new = bool(view.is_new_table(other, table))
        for action in other.actions:
            if isinstance(action, A.CreateTable) and action.table == table:
                new = not action.as_select
            elif isinstance(action, A.DropTable) and action.table == table:
                new = False
    return new


def lock_on_live_table(view: Any, statement: Any, lock: TableLock) -> bool:
    """Whether a lock the statement takes is on a table running code uses, and so can make it wait. Not live:

    - a table created earlier in the same transaction, empty or filled by ``CREATE TABLE ... AS``: until the
      transaction commits no other session can see it (a copy renamed over the old table's name included:
      sessions wait on the old table's lock, which is counted where it is taken);
    - a new empty table of this deploy (:meth:`~migsafe.rules.base.RevisionView.is_new_table`);
    - a table that ``DROP TABLE IF EXISTS`` drops where, in a history starting at its base, no revision left it
      in place: there the table is normally absent and the statement locks nothing (checked on PostgreSQL 15:
      ``pg_locks`` shows no lock); a leftover made outside Alembic is used by no revision's code;
    - the table of an index that ``DROP INDEX IF EXISTS`` drops where no revision before it can have made
      the index (:meth:`~migsafe.rules.base.RevisionView.index_never_made`): the statement locks nothing.

    Any other lock on a table the model cannot name (the table of an unknown index) is on a live table.
    ``view`` is a :class:`~migsafe.rules.base.RevisionView`."""
    action = lock.action
    if lock.via_index and isinstance(action, A.DropIndex) and action.if_exists:
        return not view.index_never_made(statement, action.name)
    if lock.unknown_table:
        return True
    if table_is_new(view, statement, lock.table) or view.created_in_transaction(statement, lock.table):
        return False
    if isinstance(action, A.DropTable) and action.if_exists and action.table == lock.table:
        return view.never_left_in_place(statement, lock.table) is None
    return True


def table_holds_no_rows(view: Any, statement: Any, table: QName) -> bool:
    """``view.holds_no_rows`` (new in this deploy, or emptied earlier in the same transaction) for any table a
    statement names; outside its ``tables_before`` snapshot, :func:`table_is_new` decides."""
    if table in statement.tables_before:
        return bool(view.holds_no_rows(statement, table))
    return table_is_new(view, statement, table)


@dataclass(frozen=True)
class StatementFacts:
    """What one statement of a transaction does, judged in the context of its own revision."""

    statement: Any  # migsafe.model.Statement
    strong: tuple[TableLock, ...]  # strong locks on live tables (see lock_on_live_table)
    slow: str | None  # slow work on such a table (see :func:`slow_work`), as a phrase


_FACTS: dict[str, Any] = {"history": None, "pg_version": None, "facts": {}}


def transaction_facts(view: Any, transaction: int) -> list[StatementFacts]:
    """The statements of one database transaction, in execution order, with their strong locks and slow work:
    across the revisions of the asking revision's deploy when the whole upgrade is one transaction, never
    revisions deployed before or after it.

    Every rule about a transaction asks this for every revision in it; the answer is computed once per
    reviewed history (a transaction spanning a whole single-transaction upgrade would otherwise be walked
    once per revision). ``view`` is a :class:`~migsafe.rules.base.RevisionView`.
    """
    history = view.history
    if _FACTS["history"] is not history or _FACTS["pg_version"] != view.pg_version:
        _FACTS.update(history=history, pg_version=view.pg_version, facts={})
    facts: dict[tuple[int, frozenset[str]], list[StatementFacts]] = _FACTS["facts"]
    key = (transaction, view.shipping)
    if key not in facts:
        facts[key] = [_facts(view.view_of(revision), statement)
                      for revision in transaction_members(history, transaction, view.shipping)
                      for statement in revision.statements
                      if statement.in_transaction and statement.transaction == transaction]
    return facts[key]


def later_facts(view: Any, statement: Any) -> list[StatementFacts]:
    """The facts of the statements after ``statement`` in its transaction (see ``view.later_in_transaction``)."""
    if statement.transaction is None:
        return []
    later = {id(s) for s in view.later_in_transaction(statement)}
    return [fact for fact in transaction_facts(view, statement.transaction) if id(fact.statement) in later]


def _facts(view: Any, statement: Any) -> StatementFacts:
    strong = tuple(lock for lock in statement_locks(statement)
                   if lock.strong and lock_on_live_table(view, statement, lock))
    slow = None
    for action, node in statement_parts(statement):
        slow = slow_work(statement, action, node, pg_version=view.pg_version,
                         is_new=lambda table: table_holds_no_rows(view, statement, table))
        if slow is not None:
            break
    return StatementFacts(statement=statement, strong=strong, slow=slow)


# -- slow work -------------------------------------------------------------------------------------------------

def slow_work(statement: Any, action: A.Action, node: Any, *, pg_version: Any,
              is_new: Callable[[QName], bool]) -> str | None:
    """What slow work ``action`` does on a table with rows — a scan, a rewrite, an index build, a back-fill —
    as a short phrase for a message, or None when it is quick (catalog only, or on a new empty table).

    ``is_new(table)`` says whether a table holds no rows (created in this deploy, or emptied earlier in the
    transaction);
    ``pg_version`` decides the version-dependent cases (a validated CHECK spares the SET NOT NULL scan from 12,
    a non-volatile default is not written into every row from 11).
    """
    table = getattr(action, "table", None)
    if isinstance(table, QName) and is_new(table) and not isinstance(action, (A.DataChange, A.CreateTable)):
        return None
    before = statement.tables_before.get(table) if isinstance(table, QName) else None
    if isinstance(action, A.SetNotNull):
        return _set_not_null_scan(action, before, pg_version)
    if isinstance(action, A.AddConstraint):
        return _constraint_work(statement, action)
    if isinstance(action, A.ValidateConstraint):
        known = [c for c in before.constraints if c.name == action.name] if before is not None else []
        if known and known[-1].validated:
            return None
        return f"scans every row of {action.table} to validate {action.name}"
    if isinstance(action, A.AlterColumnType):
        return _type_change_work(statement, action, before, node)
    if isinstance(action, A.AddColumn):
        return _add_column_work(action, pg_version)
    if isinstance(action, A.CreateIndex):
        if action.concurrently:
            return None
        return f"builds index {action.name or '(unnamed)'} on {action.table}"
    if isinstance(action, A.DataChange):
        return _data_change_work(action, node, is_new, statement.default_schema)
    if isinstance(action, A.CreateTable) and action.as_select:
        return f"fills {action.table} from a query"
    if isinstance(action, A.Other) and isinstance(node, (ast.VacuumStmt, ast.ClusterStmt)):
        return "rewrites the table" if isinstance(node, ast.ClusterStmt) or _vacuum_full(node) else None
    if _RefreshMatView is not None and isinstance(action, _RefreshMatView):
        return f"recomputes materialized view {action.view}"
    if _RewriteTable is not None and isinstance(action, _RewriteTable):
        return f"rewrites {action.table or action.index or 'tables'} ({action.command})"
    if _Reindex is not None and isinstance(action, _Reindex) and not action.concurrently:
        return f"rebuilds the indexes of {action.relation or action.name}"
    return None


def _set_not_null_scan(action: A.SetNotNull, before: Any, pg_version: Any) -> str | None:
    if before is not None:
        column = before.column(action.column)
        if column is not None and not column.nullable:
            return None
        if before.has_validated_not_null_check(action.column) and pg_version.at_least(12):
            return None
    return f"scans every row of {action.table} for NULLs in {action.column}"


def _constraint_work(statement: Any, action: A.AddConstraint) -> str | None:
    spec = action.constraint
    name = spec.name or f"a {spec.kind.replace('_', ' ')}"
    if spec.kind in ("unique", "primary_key", "exclude"):
        return None if spec.using_index else f"builds the index of {name} on {action.table}"
    if spec.kind not in ("foreign_key", "check") or spec.not_valid:
        return None
    if spec.kind == "foreign_key" and _new_columns_without_default(statement, action.table) >= set(spec.columns) \
            and spec.columns and _inline(statement, spec):
        return None  # ADD COLUMN c ... REFERENCES t without a default: all NULL, nothing to check
    return f"scans every row of {action.table} to validate {name}"


def _new_columns_without_default(statement: Any, table: QName) -> set[str]:
    return {a.column.name for a in statement.actions
            if isinstance(a, A.AddColumn) and a.table == table and a.column.default_sql is None}


def _inline(statement: Any, spec: A.ConstraintSpec) -> bool:
    """The key was declared on the ADD COLUMN itself (``ADD COLUMN c int REFERENCES t``), not as a separate
    ADD CONSTRAINT: only then does PostgreSQL skip the check (verified on 15)."""
    node = statement.node
    if not isinstance(node, ast.AlterTableStmt):
        return False
    for cmd in node.cmds or ():
        coldef = getattr(cmd, "def_", None)
        if isinstance(coldef, ast.ColumnDef) and coldef.colname in spec.columns:
            if any(getattr(c, "pktable", None) is not None for c in coldef.constraints or ()):
                return True
    return False


def _type_change_work(statement: Any, action: A.AlterColumnType, before: Any, node: Any) -> str | None:
    new = action.new_type
    if new is None:
        return None
    rewrite = f"rewrites {action.table} to change {action.column} to {new}"
    if action.using and not is_plain_using(using_expression(node, action.column), action.column, new):
        return rewrite
    column = before.column(action.column) if before is not None else None
    old = type_before_change(action.old_type_hint, column.type if column is not None else None, new,
                             action.old_type_reverted)
    if old is None:
        return None if may_avoid_rewrite(new) else rewrite
    # Change.UNKNOWN (a type from a module not installed here) claims no work: it may be no change at all.
    verdict = classify(old, new)
    if verdict is Change.REINDEX and column_may_be_indexed(statement, action.table, action.column):
        return f"rebuilds the indexes on {action.table}.{action.column} (changed to {new})"
    return rewrite if verdict in (Change.REWRITE, Change.TIMEZONE) else None


def column_may_be_indexed(statement: Any, table_name: QName, column: str) -> bool:
    """Whether an index may cover the column when ``statement`` runs. Only a table the history created is fully
    known; an index on an expression may involve any column."""
    table = statement.tables_before.get(table_name)
    if table is None or table.created_in is None:
        return True
    if any(c.kind in ("primary_key", "unique", "exclude") and column in c.columns for c in table.constraints):
        return True
    return any(ix.table == table_name and (column in ix.columns or "*" in ix.columns or not ix.columns)
               for ix in statement.indexes_before.values() if ix is not None)


def _add_column_work(action: A.AddColumn, pg_version: Any) -> str | None:
    column = action.column
    if column.serial or column.identity or column.generated_stored or column.default_volatile:
        return f"rewrites {action.table} to fill the new column {column.name}"
    if column.default_sql is not None and column.default_sql.upper() != "NULL" and not pg_version.at_least(11):
        return f"rewrites {action.table} to fill the new column {column.name}"
    return None


def _data_change_work(action: A.DataChange, node: Any, is_new: Callable[[QName], bool],
                      default_schema: str) -> str | None:
    if action.kind == "UPDATE" and not is_new(action.table):
        return f"updates rows of {action.table}"
    if action.kind == "DELETE" and not is_new(action.table):
        return f"deletes rows of {action.table}"
    if action.kind == "INSERT_SELECT":
        sources = select_sources(node, default_schema)
        if sources and (not is_new(action.table) or any(not is_new(t) for t in sources)):
            return f"copies rows into {action.table}"
    return None


def select_sources(node: Any, default_schema: str = "public") -> list[QName]:
    """Tables an ``INSERT ... SELECT`` (or any statement) reads, CTE names excluded; empty for
    ``INSERT ... SELECT <constants>`` and ``VALUES``: seed rows, not a copy of existing data."""
    ctes: set[str] = set()
    relations: list[Any] = []
    target = getattr(node, "relation", None)
    for sub in _walk(getattr(node, "selectStmt", node)):
        if isinstance(sub, ast.CommonTableExpr):
            ctes.add(sub.ctename)
        elif isinstance(sub, ast.RangeVar) and sub is not target:
            relations.append(sub)
    if isinstance(node, ast.InsertStmt) and node.withClause is not None:
        for sub in _walk(node.withClause):
            if isinstance(sub, ast.CommonTableExpr):
                ctes.add(sub.ctename)
            elif isinstance(sub, ast.RangeVar):
                relations.append(sub)
    return [qualified(r, default_schema) for r in relations if r.schemaname or r.relname not in ctes]
