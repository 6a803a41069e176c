"""constraint-without-not-valid: a FOREIGN KEY or CHECK added to a table with rows, validated on the spot.

Validation reads the whole table while the ADD's lock is held: SHARE ROW EXCLUSIVE on both tables for a foreign
key (writes blocked), ACCESS EXCLUSIVE for a CHECK (everything blocked). ``NOT VALID`` skips the scan; a later
``VALIDATE CONSTRAINT`` does it under SHARE UPDATE EXCLUSIVE, which lets reads and writes through. That only
helps when the VALIDATE runs in a later transaction: locks last until the transaction ends, so a VALIDATE after
the NOT VALID ADD (or after anything else that locked the table) in the same transaction scans under that lock.
That finding is reported on the VALIDATE, the line to move.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from typing import Any, Iterable, Iterator

from pglast import ast, enums

from migsafe.model import RecordedRevision, Statement, transaction_members
from migsafe.rules.base import Hit, RevisionView, Rule
from migsafe.sql import actions as A

RULE = Rule(
    id="constraint-without-not-valid",
    severity="error",
    summary="Adding a FOREIGN KEY or CHECK without NOT VALID scans the whole table under a lock that blocks writes",
    fix="Add it with `postgresql_not_valid=True` (`op.create_foreign_key(...)`, `op.create_check_constraint(...)`) "
        "or `NOT VALID` in raw SQL, then run `op.execute(\"ALTER TABLE t VALIDATE CONSTRAINT name\")` in a later "
        "transaction: a later revision, or inside `with op.get_context().autocommit_block():`.",
)

_VALIDATE_FIX = (
    "Run the VALIDATE CONSTRAINT in a later transaction, so the earlier lock is released first: inside "
    "`with op.get_context().autocommit_block():` after the other changes, or in a later revision (deployed "
    "separately when the whole upgrade runs in one transaction)."
)

_KINDS = ("foreign_key", "check")

# ALTER TABLE forms that take ACCESS EXCLUSIVE on their table (PostgreSQL docs, ALTER TABLE: lock levels).
_ACCESS_EXCLUSIVE = (A.AddColumn, A.DropColumn, A.RenameColumn, A.AlterColumnType, A.SetNotNull, A.DropNotNull,
                     A.SetDefault, A.DropConstraint, A.RenameTable)
# Locks that block writes, weakest first; weaker ones (SHARE UPDATE EXCLUSIVE, ROW EXCLUSIVE) do not matter here.
_LOCKS = ("SHARE", "SHARE ROW EXCLUSIVE", "ACCESS EXCLUSIVE")


def _lock_on(action: A.Action, table: A.QName) -> str | None:
    """The write-blocking lock ``action`` takes on ``table``, if any."""
    if isinstance(action, A.AddConstraint):
        if action.constraint.kind == "foreign_key":
            return "SHARE ROW EXCLUSIVE" if table in (action.table, action.constraint.references) else None
        return "ACCESS EXCLUSIVE" if action.table == table else None
    if isinstance(action, A.CreateIndex):
        return "SHARE" if action.table == table and not action.concurrently else None
    if isinstance(action, _ACCESS_EXCLUSIVE):
        return "ACCESS EXCLUSIVE" if action.table == table else None
    return None


def _strongest(locks: Iterable[str | None]) -> str | None:
    found = [lock for lock in locks if lock is not None]
    return max(found, key=_LOCKS.index) if found else None


@dataclass
class _Transaction:
    """One transaction's statements in execution order (``view.earlier_in_transaction``'s order), indexed once:
    walking every earlier statement for each constraint was quadratic in a revision adding thousands."""

    position: dict[int, int] = field(default_factory=dict)  # id(statement) -> its place
    # table -> places of the statements that lock it, and the strongest lock up to each of them
    locks: dict[A.QName, tuple[list[int], list[str]]] = field(default_factory=dict)
    # (table, constraint name) -> places of the statements that add it, and the ADD
    adds: dict[tuple[A.QName, str | None], tuple[list[int], list[A.AddConstraint]]] = field(default_factory=dict)

    def before(self, statement: Statement) -> int:
        """Places below this one are earlier (all of them for a statement not found, as the walk did)."""
        return self.position.get(id(statement), len(self.position))


_TRANSACTIONS: dict[str, Any] = {"history": None, "index": {}}


def _transaction(view: RevisionView, statement: Statement) -> _Transaction | None:
    if statement.transaction is None:
        return None
    history: list[RecordedRevision] = view.history
    if _TRANSACTIONS["history"] is not history:
        _TRANSACTIONS.update(history=history, index={})
    # One transaction number spans the whole history when it is recorded as one upgrade; only the revisions of
    # this deploy share it for real (see RevisionView.shipping).
    key = (statement.transaction, view.shipping)
    found = _TRANSACTIONS["index"].get(key)
    if found is not None:
        return found  # type: ignore[no-any-return]
    found = _TRANSACTIONS["index"][key] = _Transaction()
    for revision in transaction_members(history, statement.transaction, view.shipping):
        for other in revision.statements:
            if other.transaction != statement.transaction:
                continue
            place = found.position.setdefault(id(other), len(found.position))
            tables = {table for a in other.actions for table in _locked_tables(a)}
            for table in tables:
                lock = _strongest(_lock_on(a, table) for a in other.actions)
                places, strongest = found.locks.setdefault(table, ([], []))
                if lock is not None:
                    places.append(place)
                    strongest.append(max(strongest[-1], lock, key=_LOCKS.index) if strongest else lock)
            for a in other.actions:
                if isinstance(a, A.AddConstraint):
                    places_, adds = found.adds.setdefault((a.table, a.constraint.name), ([], []))
                    places_.append(place)
                    adds.append(a)
    return found


def _locked_tables(action: A.Action) -> tuple[A.QName, ...]:
    """The tables ``_lock_on`` may name for ``action``."""
    table = getattr(action, "table", None)
    tables = (table,) if isinstance(table, A.QName) else ()
    if isinstance(action, A.AddConstraint) and action.constraint.references is not None:
        tables += (action.constraint.references,)
    return tables


def _held_before(view: RevisionView, statement: Statement, table: A.QName) -> str | None:
    """The strongest write-blocking lock on ``table`` that earlier statements of the transaction still hold."""
    transaction = _transaction(view, statement)
    if transaction is None or table not in transaction.locks:
        return None
    places, strongest = transaction.locks[table]
    index = bisect.bisect_left(places, transaction.before(statement)) - 1
    return strongest[index] if index >= 0 else None


def _blocks(lock: str) -> str:
    return "reads and writes" if lock == "ACCESS EXCLUSIVE" else "inserts, updates and deletes"


def _locks_during_scan(view: RevisionView, statement: Statement, table: A.QName,
                       constraint: A.ConstraintSpec, own: Iterable[A.Action]) -> str:
    """What is held while ``statement`` scans ``table``: its own locks plus those of the transaction so far."""
    own = list(own)
    tables = [table]
    if constraint.kind == "foreign_key" and constraint.references not in (None, table):
        tables.append(constraint.references)  # type: ignore[arg-type]
    held: list[tuple[A.QName, str]] = []
    for name in tables:
        lock = _strongest([_held_before(view, statement, name)] + [_lock_on(a, name) for a in own])
        if lock is not None:
            held.append((name, lock))
    if len(held) == 2 and held[0][1] == held[1][1]:
        lock = held[0][1]
        return f"{lock} locks on {held[0][0]} and {held[1][0]} (blocking {_blocks(lock)} on both)"
    return " and ".join(f"{'an' if lock[0] == 'A' else 'a'} {lock} lock on {name} (blocking {_blocks(lock)})"
                        for name, lock in held)


def _describe(constraint: A.ConstraintSpec) -> str:
    kind = "foreign key" if constraint.kind == "foreign_key" else "CHECK constraint"
    if constraint.name:
        return f"{kind} {constraint.name}"
    return f"a {kind}" + (f" on ({', '.join(constraint.columns)})" if constraint.columns else "")


def _has_default(coldef: Any) -> bool:
    return coldef.raw_default is not None or any(
        c.contype == enums.ConstrType.CONSTR_DEFAULT for c in coldef.constraints or ())


def _unchecked_inline_fks(statement: Statement) -> set[tuple[str, str | None, str]]:
    """(column, constraint name, referenced table) of ``ADD COLUMN c ... REFERENCES t`` without a default.

    PostgreSQL knows such a column is all NULL, so it marks the key valid without reading a row (verified on
    15: no sequential scan; with any DEFAULT, even DEFAULT NULL, it scans). A separate ADD FOREIGN KEY on the
    new column, which is what Alembic's ``add_column(sa.Column(..., sa.ForeignKey(...)))`` emits, still scans.
    """
    node = statement.node
    found: set[tuple[str, str | None, str]] = set()
    if not isinstance(node, ast.AlterTableStmt):
        return found
    for cmd in node.cmds or ():
        coldef = cmd.def_
        if cmd.subtype != enums.AlterTableType.AT_AddColumn or not isinstance(coldef, ast.ColumnDef):
            continue
        if _has_default(coldef):
            continue
        for con in coldef.constraints or ():
            if con.contype == enums.ConstrType.CONSTR_FOREIGN and con.pktable is not None:
                found.add((coldef.colname, con.conname, con.pktable.relname))
    return found


def _validates_on_add(statement: Statement, action: A.AddConstraint) -> bool:
    constraint = action.constraint
    if constraint.kind not in _KINDS or constraint.not_valid:
        return False
    if constraint.kind == "foreign_key" and len(constraint.columns) == 1 and constraint.references is not None:
        inline = (constraint.columns[0], constraint.name, constraint.references.name)
        if inline in _unchecked_inline_fks(statement):
            return False
    return True


def _added_earlier(view: RevisionView, statement: Statement, action: A.ValidateConstraint) -> A.AddConstraint | None:
    """The latest ADD of this constraint earlier in the same transaction."""
    transaction = _transaction(view, statement)
    if transaction is None or (action.table, action.name) not in transaction.adds:
        return None
    places, adds = transaction.adds[(action.table, action.name)]
    index = bisect.bisect_left(places, transaction.before(statement)) - 1
    return adds[index] if index >= 0 else None


def _already_valid(view: RevisionView, statement: Statement, action: A.ValidateConstraint) -> bool:
    """VALIDATE of a constraint the model knows is valid reads nothing."""
    table = view.table_before(statement, action.table)
    known = [c for c in table.constraints if c.name == action.name] if table is not None else []
    return bool(known) and known[-1].validated


def _check_add(view: RevisionView, statement: Statement, action: A.AddConstraint) -> Iterator[Hit]:
    if not _validates_on_add(statement, action):
        return
    locks = _locks_during_scan(view, statement, action.table, action.constraint, statement.actions)
    yield view.hit(
        statement,
        f"adds {_describe(action.constraint)} to table {action.table} without NOT VALID: PostgreSQL holds "
        f"{locks} while it scans every row of {action.table} to check it",
        key=("constraint", action.table, action.constraint.name or action.constraint.columns),
    )


def _check_validate(view: RevisionView, statement: Statement, action: A.ValidateConstraint) -> Iterator[Hit]:
    if _already_valid(view, statement, action) or _held_before(view, statement, action.table) is None:
        return
    added = _added_earlier(view, statement, action)
    spec = added.constraint if added is not None else A.ConstraintSpec(kind="unknown", name=action.name)
    locks = _locks_during_scan(view, statement, action.table, spec, ())
    if added is not None and added.constraint.not_valid:
        why = "in the same transaction that added it NOT VALID, so the ADD's lock is still held"
    else:
        why = "in a transaction that already locked the table, and locks last until the transaction ends"
    described = _describe(spec) if added is not None else f"constraint {action.name}"
    yield view.hit(
        statement,
        f"validates {described} of table {action.table} {why}: PostgreSQL holds {locks} while it scans every "
        f"row of {action.table}",
        key=("constraint", action.table, action.name),
        fix=_VALIDATE_FIX,
    )


@RULE.check
def check(view: RevisionView) -> Iterator[Hit]:
    for statement, action in view.actions(A.AddConstraint, A.ValidateConstraint):
        if view.holds_no_rows(statement, action.table) or statement.operation.batch_recreate:
            continue
        if isinstance(action, A.AddConstraint):
            yield from _check_add(view, statement, action)
        else:
            yield from _check_validate(view, statement, action)
