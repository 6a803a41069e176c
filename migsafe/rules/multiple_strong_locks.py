"""multiple-strong-locks: one transaction holds strong locks on several live tables across slow work.

Locks last until the transaction commits. A migration that takes a strong lock (SHARE and up: ACCESS
EXCLUSIVE for most ALTER TABLE forms, SHARE ROW EXCLUSIVE for a foreign key, SHARE for CREATE INDEX) on two
or more live tables, and does slow work (a scan, a rewrite, an index build, a back-fill) while holding one of
them, blocks traffic on all of them for as long as the slow work takes. And it acquires those locks one
after the other while application transactions lock the same tables in their own order: an application
transaction holding a row lock on the second table and waiting to read the first one deadlocks with the
migration, and PostgreSQL aborts one of them (often the migration, after it did the slow part).

Not this finding: strong locks that all come from one statement (a foreign key added ``NOT VALID`` locks both
tables briefly; a foreign key dropped locks both tables briefly; a validating one has its own rule), locks
on tables that are not live (created in the same transaction, or dropped ``IF EXISTS`` where no revision
leaves them in place: see :func:`~migsafe.sql.locks.lock_on_live_table`), and statements outside a
transaction.

Reported once per transaction, on the statement that completes the hazard: the one that takes the second
strong lock when slow work already ran under a strong lock, or the slow statement when two strong locks are
already held. When the whole upgrade is one transaction (``transaction-per-migration = false``) locks from
earlier revisions of the same deploy count (never those of revisions deployed before or after it: see
:mod:`migsafe.deploy`), and the finding goes to the revision whose statement completes it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterator

from migsafe.model import Statement
from migsafe.rules.base import Hit, RevisionView, Rule
from migsafe.sql.actions import QName
from migsafe.sql import actions as A
from migsafe.sql.locks import StatementFacts, TableLock, mode_name, statement_parts, stronger, transaction_facts

RULE = Rule(
    id="multiple-strong-locks",
    severity="error",
    summary="One transaction holds strong locks on several live tables across slow work: long blocking on all "
            "of them, and lock-ordering deadlocks with the application",
    fix="Change one table per transaction: split the revision (with transaction_per_migration=True each "
        "revision commits on its own) or run each table's statements in its own "
        "`with op.get_context().autocommit_block():`; and do slow work without a strong lock (CONCURRENTLY, "
        "NOT VALID + VALIDATE later, batched back-fills in their own revision).",
)


@dataclass
class _Held:
    mode: str
    statement: Statement
    table: QName  # as the statement that first locked it named it
    unknown: str | None = None  # how to name a table the model cannot name (TableLock.describe())

    def describe(self) -> str:
        return self.unknown or str(self.table)


@dataclass
class _State:
    held: dict[QName, _Held] = field(default_factory=dict)  # by the table's first name in the transaction
    # A table renamed in the transaction, by its new name: one table under two names is one table.
    renamed: dict[QName, QName] = field(default_factory=dict)
    slow: tuple[Statement, str] | None = None  # the first slow work done while a strong lock was held

    def complete(self) -> bool:
        if len(self.held) < 2 or self.slow is None:
            return False
        units = {_unit(h.statement) for h in self.held.values()} | {_unit(self.slow[0])}
        return len(units) >= 2


def _unit(statement: Statement) -> int:
    """What counts as "one statement": one Alembic operation (``op.add_column`` with a ``ForeignKey`` emits
    ADD COLUMN and ADD CONSTRAINT, which other rules judge together), or one SQL statement of raw SQL."""
    return id(statement.operation) if statement.source in ("op", "batch") else id(statement)


@RULE.check
def check(view: RevisionView) -> Iterator[Hit]:
    done: set[int] = set()
    for statement in view.statements:
        transaction = statement.transaction
        if not statement.in_transaction or transaction is None or transaction in done:
            continue
        done.add(transaction)
        found = _scan(transaction_facts(view, transaction))
        # The hazard is completed once per transaction: report it in the revision whose statement does it.
        if found is not None and any(found[0] is s for s in view.statements):
            yield _hit(view, *found)


def _scan(facts: list[StatementFacts]) -> tuple[Statement, _State, list[TableLock]] | None:
    state = _State()
    recreated = _recreated_foreign_keys(facts)
    for fact in facts:
        statement = fact.statement
        locks = [lock for lock in fact.strong if not lock.via_index]
        if fact.slow is not None and state.slow is None and (state.held or locks):
            state.slow = (statement, fact.slow)
        new_locks = []
        for lock in locks:
            table, unknown = lock.table, (lock.describe() if lock.unknown_table else None)
            if lock.referenced_by is not None and isinstance(lock.action, A.DropConstraint):
                # A key the model does not know, added again under its name: its table is the one it references.
                found = recreated.get((lock.action.table, lock.referenced_by))
                if found is not None:
                    table, unknown = found, None
            identity = state.renamed.get(table, table)
            current = state.held.get(identity)
            if current is None:
                state.held[identity] = _Held(lock.mode, statement, table, unknown)
                new_locks.append(lock)
            else:
                current.mode = stronger(current.mode, lock.mode)
        for action, _node in statement_parts(statement):
            if isinstance(action, A.RenameTable):
                new = A.QName(action.table.schema, action.new_name)
                state.renamed[new] = state.renamed.get(action.table, action.table)
            elif isinstance(action, A.CreateTable):
                state.renamed.pop(action.table, None)  # the name now means a new table
        if state.complete():
            return statement, state, new_locks
    return None


def _recreated_foreign_keys(facts: list[StatementFacts]) -> dict[tuple[QName, str], QName]:
    """(table, name) -> referenced table of every foreign key the transaction adds by name: a key dropped and
    added again under the same name (to change ON DELETE, say) references the same table."""
    found: dict[tuple[QName, str], QName] = {}
    for fact in facts:
        for action, _node in statement_parts(fact.statement):
            if isinstance(action, A.AddConstraint) and action.constraint.kind == "foreign_key" \
                    and action.constraint.name and action.constraint.references is not None:
                found.setdefault((action.table, action.constraint.name), action.constraint.references)
    return found


def _hit(view: RevisionView, statement: Statement, state: _State, new_locks: list[TableLock]) -> Hit:
    assert state.slow is not None
    slow_statement, work = state.slow
    held = ", ".join(f"{mode_name(h.mode)} on {h.describe()}" for h in state.held.values())
    if slow_statement is statement:
        what = f"{work} while this transaction holds strong locks on {len(state.held)} tables ({held})"
    else:
        taken = " and ".join(f"{mode_name(lock.mode)} on {lock.describe() if lock.unknown_table else lock.table}"
                             for lock in new_locks)
        what = (f"takes {taken} after this transaction {work} ({view.where(slow_statement)}) under a strong "
                f"lock; it now holds strong locks on {len(state.held)} tables ({held})")
    return view.hit(
        statement,
        f"{what} until it commits: traffic on all of them waits for the slow work, and application transactions "
        "that lock these tables in another order deadlock with the migration",
        key=("transaction", statement.transaction),
    )
