"""What a rule is: a small declared object plus a function over one recorded revision.

A rule module defines ``RULE = Rule(...)`` and decorates its check function with ``@RULE.check``. The check
receives a :class:`RevisionView` and yields :class:`Hit` values; the engine turns hits into findings (rule id,
severity, file, line), de-duplicates them (one finding per rule per statement), applies ``supersedes`` and
suppressions. Adding a rule means adding a module to ``migsafe/rules/`` and a page to ``docs/rules/``.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, TypeVar

from migsafe.config import PgVersion, Settings
from migsafe.model import RecordedRevision, Statement, transaction_members
from migsafe.schema import Table
from migsafe.sql import actions as A

ActionT = TypeVar("ActionT", bound=A.Action)


@dataclass(frozen=True)
class Hit:
    """A rule's raw verdict on one statement; ``key`` names the object, so that one rule's finding can
    replace another's for the same object (see :attr:`Rule.supersedes`)."""

    statement: Statement
    message: str
    key: tuple[object, ...] = ()
    fix: str | None = None  # overrides the rule's generic fix when the rule knows better
    severity: str | None = None  # overrides the rule's default severity for this one finding
    # What only the schema model knows and `review --fix` needs ((name, value) pairs; migsafe/fixing/rules/).
    facts: tuple[tuple[str, str], ...] = ()


CheckFunction = Callable[["RevisionView"], Iterable[Hit]]


@dataclass
class Rule:
    id: str
    severity: str  # default severity: "error", "warning" or "info"
    summary: str  # one line: what is wrong
    fix: str  # one or two lines: the safe way, in Alembic terms
    supersedes: tuple[str, ...] = ()
    function: CheckFunction | None = field(default=None, repr=False)

    def check(self, function: CheckFunction) -> CheckFunction:
        self.function = function
        return function

    def run(self, view: "RevisionView") -> Iterable[Hit]:
        assert self.function is not None, f"rule {self.id} has no check function"
        return self.function(view)


class RevisionView:
    """What a rule may ask about one revision (and, for transaction questions, the revisions after it)."""

    def __init__(self, revision: RecordedRevision, pg_version: PgVersion, history: list[RecordedRevision],
                 settings: Settings | None = None, env_py: Path | None = None) -> None:
        self.revision = revision
        self.pg_version = pg_version
        self._history = history
        # The project's settings (``lock-timeout``...) and its env.py, for rules that depend on how the
        # project runs its migrations rather than on one revision.
        self.settings = settings if settings is not None else Settings(pg_version=pg_version)
        self.env_py = env_py

    @property
    def statements(self) -> list[Statement]:
        return self.revision.statements

    @property
    def history(self) -> list[RecordedRevision]:
        """Every recorded revision in upgrade order (for rules about transactions that span revisions)."""
        return self._history

    def view_of(self, revision: RecordedRevision) -> "RevisionView":
        """The same questions asked about another revision of the history (its own new tables, shipping set)."""
        if revision is self.revision:
            return self
        return RevisionView(revision, self.pg_version, self._history, settings=self.settings, env_py=self.env_py)

    def actions(self, *types: type[ActionT]) -> Iterator[tuple[Statement, ActionT]]:
        for statement in self.revision.statements:
            for action in statement.actions:
                if isinstance(action, types):
                    yield statement, action  # type: ignore[misc]

    def table_before(self, statement: Statement, name: A.QName) -> Table | None:
        return statement.tables_before.get(name)

    def is_new_table(self, statement: Statement, name: A.QName) -> bool:
        """True when the table was created by a revision shipping with this one and holds no rows yet.

        Every other table, including one no revision we saw created, is an existing table with data.
        """
        table = statement.tables_before.get(name)
        if table is None:
            return False
        return table.created_in in self.shipping and not table.holds_data

    def created_in_transaction(self, statement: Statement, name: A.QName) -> bool:
        """True when the relation (table or materialized view) was created earlier in the transaction the
        statement runs in, by a revision of this deploy: until it commits, no other session can see it, so
        nothing it does there blocks anyone. (A single-transaction upgrade of the whole history is a modelling
        device: the revisions of earlier deploys committed long ago.)"""
        known = statement.tables_before.get(name)
        return (known is not None and statement.transaction is not None
                and known.created_in_transaction == statement.transaction and known.created_in in self.shipping)

    def holds_no_rows(self, statement: Statement, name: A.QName, *, proven_by_failure: bool = True) -> bool:
        """True when the table has no rows when the statement runs: new in this deploy (see
        :meth:`is_new_table`), or emptied earlier in the same transaction by a TRUNCATE (or a DELETE of every
        row while the transaction held a lock that kept writers out), with no INSERT since; or proven empty by
        an earlier ``ADD COLUMN ... NOT NULL`` without a default in the same transaction, which PostgreSQL
        aborts on a table with rows (that statement has its own finding, not-null-without-default).

        Then nothing scans, rewrites or loses rows there, and the lock that emptied it is held until commit:
        later statements on it add no wait. ``proven_by_failure=False`` leaves out the ``ADD COLUMN`` proof (for
        the rule that reports such statements: a second one is just as wrong as the first)."""
        if self.is_new_table(statement, name):
            return True
        known = statement.tables_before.get(name)
        return (known is not None and statement.transaction is not None
                and known.emptied_in_transaction == statement.transaction and known.emptied_in in self.shipping
                and (proven_by_failure or not known.emptied_by_failure))

    @property
    def shipping(self) -> frozenset[str]:
        """The revisions deployed together with this one (at least itself): one ``alembic upgrade`` runs them,
        so their new tables are still empty, and with one transaction per upgrade they share it."""
        return self.revision.shipping_set or frozenset({self.revision.revision})

    def in_deploy(self, revision_id: str | None) -> bool:
        return revision_id is not None and revision_id in self.shipping

    def made_in_this_deploy(self, revision_id: str | None) -> bool:
        """Whether ``revision_id``'s upgrade, shipping with this revision, made the object (created, added or
        named it): then no running code knows it yet. In a rollback (the ``--downgrade`` pass) nothing the
        upgrades made is new: the application has used it since they ran."""
        return self.revision.direction == "upgrade" and self.in_deploy(revision_id)

    def never_left_in_place(self, statement: Statement, name: A.QName) -> str | None:
        """Why a table the schema model does not know cannot exist when ``statement`` runs, in a database built
        by this history: "no revision creates it", or "revision A creates it and B drops it". It exists only
        where something outside Alembic made it (projects that bootstrap with ``create_all()`` and ``alembic
        stamp`` have such tables), and then no revision's code uses it. None when that cannot be said: the
        model knows the table, the history does not start at its base, this is a rollback, or an earlier
        revision did work the review could not follow (an unparsed statement, a revision that failed) that
        names the table."""
        if statement.tables_before.get(name) is not None:
            return None
        if self.revision.direction != "upgrade" or not history_complete(self._history):
            return None
        index = _table_fates(self._history)
        place = index.places.get(id(statement))
        if place is None:
            return None
        if any(at <= place and _names(name, text) for at, text in index.doubts):
            return None
        if any(at <= place for at in index.can_create.get(name.name.lower(), ())):
            return None
        made_by = dropped_by = None
        for at, kind, revision in index.events.get(name, ()):
            if at >= place:
                break
            if kind == "create":
                made_by = revision
            elif made_by is not None:
                dropped_by = revision
        if made_by is not None and dropped_by is None:
            return None  # made, and gone from the model some way the review did not follow
        return (f"revision {made_by} creates it and {dropped_by} drops it" if made_by and dropped_by
                else "no revision creates it")

    def column_never_made(self, statement: Statement, table: A.QName, column: str) -> bool:
        """Whether, in a database built by this history, ``table`` has no column ``column`` when ``statement``
        runs (for ``DROP COLUMN IF EXISTS``, which then drops nothing and breaks no code: no revision's code
        made the column). Said only when the schema model knows the table and every revision before could be
        followed: the history starts at its base, this is an upgrade, and no earlier revision that names the
        table failed, stopped early, ran application code as stand-ins or sent SQL the parser rejected."""
        known = statement.tables_before.get(table)
        if known is None or known.column(column) is not None or self.revision.direction != "upgrade":
            return False
        if not history_complete(self._history):
            return False
        index = _table_fates(self._history)
        place = index.places.get(id(statement))
        if place is None or any(at <= place and _names(table, text) for at, text in index.doubts):
            return False
        for revision in self._history:
            if revision is self.revision:
                return True
            unfollowed = revision.partial or any(note.kind == "partial-stop" for note in revision.notes)
            if unfollowed and any(_names(table, line) for line in revision.source_lines):
                return False
        return False

    def index_never_made(self, statement: Statement, name: A.QName) -> bool:
        """Whether, in a database built by this history, no index of this name can exist when ``statement``
        runs (for ``DROP INDEX IF EXISTS``, which then locks nothing: checked on PostgreSQL 15, ``pg_locks``
        shows no lock). Said only when the history starts at its base, this is an upgrade, no earlier
        recorded statement and no earlier revision's source names it (a creation the review did not follow
        would), and the name is not one PostgreSQL makes up (``t_c_idx``, ``t_c_key``, ``t_pkey``), which no
        source spells out."""
        if statement.indexes_before.get(name) is not None or self.revision.direction != "upgrade":
            return False
        if not history_complete(self._history) or name.name.lower().endswith(_GENERATED_INDEX_SUFFIXES):
            return False
        pattern = re.compile(rf"(?<![\w$]){re.escape(name.name)}(?![\w$])", re.IGNORECASE)
        for revision in self._history:
            if revision is self.revision:
                return not any(pattern.search(earlier.sql) for earlier in
                               itertools.takewhile(lambda s: s is not statement, revision.statements))
            if any(pattern.search(line) for line in revision.source_lines) or any(
                    pattern.search(earlier.sql) for earlier in revision.statements):
                return False
        return False

    @staticmethod
    def old_column_type(statement: Statement, action: A.AlterColumnType) -> A.SqlType | None:
        """A column's type before a type change (see :func:`~migsafe.sql.type_changes.old_type_evidence`);
        None when neither Alembic's ``existing_type``, the schema model nor the revision's ``downgrade()``
        knows."""
        return RevisionView.old_column_type_evidence(statement, action)[0]

    @staticmethod
    def old_column_type_evidence(statement: Statement,
                                 action: A.AlterColumnType) -> tuple[A.SqlType | None, str | None]:
        """The type before a type change and where it comes from ("existing_type", "model", "downgrade")."""
        from migsafe.sql.type_changes import old_type_evidence

        table = statement.tables_before.get(action.table)
        column = table.column(action.column) if table is not None else None
        return old_type_evidence(action.old_type_hint, column.type if column is not None else None,
                                 action.new_type, action.old_type_reverted)

    def index_table(self, statement: Statement, index: A.QName) -> A.QName | None:
        found = statement.indexes_before.get(index)
        return found.table if found is not None else None

    def later_in_transaction(self, statement: Statement) -> Iterator[Statement]:
        """Statements after ``statement`` in the same database transaction (across the revisions of its
        deploy when the whole upgrade is one transaction; never beyond them)."""
        if statement.transaction is None:
            return
        started = False
        for revision in transaction_members(self._history, statement.transaction, self.shipping):
            if not started and revision is not self.revision:
                continue
            for other in revision.statements:
                if not started:
                    started = other is statement
                    continue
                if other.transaction == statement.transaction:
                    yield other

    def earlier_in_transaction(self, statement: Statement) -> Iterator[Statement]:
        """Statements before ``statement`` in the same database transaction, in execution order (across the
        revisions of its deploy when the whole upgrade is one transaction): what still holds its locks when it
        runs. A revision deployed earlier committed long ago: its locks are not held."""
        if statement.transaction is None:
            return
        for revision in transaction_members(self._history, statement.transaction, self.shipping):
            for other in revision.statements:
                if other is statement:
                    return
                if other.transaction == statement.transaction:
                    yield other

    def holds_access_exclusive(self, statement: Statement, table: A.QName) -> Statement | None:
        """The earlier statement of this transaction (see :meth:`earlier_in_transaction`) that already took
        ACCESS EXCLUSIVE on ``table``, if any: until commit every other session waits for the table anyway, so
        a later statement's ACCESS EXCLUSIVE on it adds no wait of its own."""
        if statement.transaction is None:
            return None
        places, first = _access_exclusive_index(self._history, statement.transaction, self.shipping)
        holder = first.get(table)
        if holder is None or holder is statement:
            return None
        return holder if places[id(holder)] < places.get(id(statement), len(places)) else None

    def where(self, statement: Statement) -> str:
        """Where a statement of this revision's transaction is, for a message: ``line N`` in this revision,
        else ``FILE:N (revision R)`` in the other revision of the deploy that ran it."""
        if any(other is statement for other in self.revision.statements):
            return f"line {statement.line}"
        if statement.transaction is not None:
            for revision in transaction_members(self._history, statement.transaction, self.shipping):
                if any(other is statement for other in revision.statements):
                    return f"{revision.path.name}:{statement.line} (revision {revision.revision})"
        return f"line {statement.line} of another revision"

    def hit(self, statement: Statement, message: str, key: tuple[object, ...] = (), fix: str | None = None,
            severity: str | None = None, facts: tuple[tuple[str, str], ...] = ()) -> Hit:
        return Hit(statement=statement, message=message, key=key, fix=fix, severity=severity, facts=facts)


_ACCESS_EXCLUSIVE: dict[str, Any] = {"history": None, "index": {}}


def _access_exclusive_index(history: list[RecordedRevision], transaction: int, deploy: frozenset[str]
                            ) -> tuple[dict[int, int], dict[A.QName, Statement]]:
    """For one transaction of one deploy: each statement's place, and the first statement taking ACCESS
    EXCLUSIVE on each table. Built once per transaction: walking the earlier statements for every statement
    asked about was quadratic (2,000 DROP INDEX on 2,000 tables: 8 s)."""
    from migsafe.sql.locks import statement_locks

    if _ACCESS_EXCLUSIVE["history"] is not history:
        _ACCESS_EXCLUSIVE.update(history=history, index={})
    key = (transaction, deploy)
    if key not in _ACCESS_EXCLUSIVE["index"]:
        places: dict[int, int] = {}
        first: dict[A.QName, Statement] = {}
        for revision in transaction_members(history, transaction, deploy):
            for statement in revision.statements:
                if statement.transaction != transaction:
                    continue
                places[id(statement)] = len(places)
                for lock in statement_locks(statement):
                    if lock.mode == "AccessExclusiveLock" and not lock.unknown_table:
                        first.setdefault(lock.table, statement)
        _ACCESS_EXCLUSIVE["index"][key] = (places, first)
    return _ACCESS_EXCLUSIVE["index"][key]  # type: ignore[no-any-return]


@dataclass
class _TableFates:
    places: dict[int, int]  # each statement's place in the history's upgrade order
    events: dict[A.QName, list[tuple[int, str, str]]]  # (place, "create" or "drop", revision) per table name
    # (place, text) of unparsed statements and revisions that failed to record: a doubt about the tables the text
    # names for every statement from that place on.
    doubts: list[tuple[int, str]]
    # Table names an earlier revision's code can create (CREATE TABLE in SQL, op.create_table, a rename into the
    # name), recorded or not: a branch the recording did not run (``if <extension available>:``) may create it.
    # The place from which on each name is in doubt, by lower-case name.
    can_create: dict[str, list[int]] = field(default_factory=dict)


_FATES: dict[str, Any] = {"history": None, "index": None}


def _table_fates(history: list[RecordedRevision]) -> _TableFates:
    """Where each table name is created (CREATE TABLE, a rename into it) and dropped across the history, built
    once per reviewed history: asking per DROP TABLE IF EXISTS walked every earlier statement."""
    if _FATES["history"] is not history:
        index = _TableFates(places={}, events={}, doubts=[])
        for revision in history:
            if revision.error is not None:
                index.doubts.append((len(index.places), "\n".join(revision.source_lines)))
            source_creates = _created_in_source(revision.source_lines)
            made_here: set[str] = set()
            for statement in revision.statements:
                place = len(index.places)
                index.places[id(statement)] = place
                if statement.parse_error is not None:
                    index.doubts.append((place + 1, statement.sql))  # a doubt for the statements after it
                for action in statement.actions:
                    if isinstance(action, A.CreateTable):
                        index.events.setdefault(action.table, []).append((place, "create", revision.revision))
                        made_here.add(action.table.name.lower())
                    elif isinstance(action, A.RenameTable):
                        new = A.QName(action.table.schema, action.new_name)
                        index.events.setdefault(new, []).append((place, "create", revision.revision))
                        made_here.add(action.new_name.lower())
                    elif isinstance(action, A.DropTable):
                        index.events.setdefault(action.table, []).append((place, "drop", revision.revision))
            for created in source_creates - made_here:  # a creation not recorded: in doubt for the later revisions
                index.can_create.setdefault(created, []).append(len(index.places))
        _FATES.update(history=history, index=index)
    return _FATES["index"]  # type: ignore[no-any-return]


_CREATES_IN_SOURCE = re.compile(
    r"""\bCREATE\s+(?:OR\s+REPLACE\s+)?(?:(?:GLOBAL|LOCAL)\s+)?(?:(?:TEMP|TEMPORARY|UNLOGGED)\s+)?TABLE\s+
        (?:IF\s+NOT\s+EXISTS\s+)?(?:"?[\w$]+"?\s*\.\s*)?"?([\w$]+)
      | \bRENAME\s+TO\s+"?([\w$]+)
      | \bcreate_table\(\s*["']([\w$]+)
      | \brename_table\(\s*["'][\w$]+["']\s*,\s*["']([\w$]+)""",
    re.IGNORECASE | re.VERBOSE)


def _created_in_source(lines: list[str]) -> set[str]:
    """Lower-case names of the tables a revision's code can create, read from its source text."""
    found: set[str] = set()
    for match in _CREATES_IN_SOURCE.finditer("\n".join(lines)):
        found.add(next(group for group in match.groups() if group).lower())
    return found


def _names(table: A.QName, text: str) -> bool:
    return re.search(rf"\b{re.escape(table.name)}\b", text, re.IGNORECASE) is not None


# The suffixes of the index names PostgreSQL chooses itself (CREATE INDEX without a name, UNIQUE, PRIMARY KEY,
# EXCLUDE constraints without one): such a name is in no revision's source even when a revision made it.
_GENERATED_INDEX_SUFFIXES = ("_idx", "_key", "_pkey", "_excl")

_COMPLETE: dict[str, Any] = {"history": None, "complete": False}


def history_complete(history: list[RecordedRevision]) -> bool:
    """Whether the history starts at a base revision: every revision it builds on (``down_revision``,
    ``depends_on``) is in it. Then a table no revision created, renamed into place or dropped can only exist
    if something outside Alembic made it."""
    if _COMPLETE["history"] is not history:
        known = {revision.file.revision for revision in history}
        complete = all(parent in known for revision in history
                       for parent in revision.file.down_revisions + revision.file.depends_on)
        _COMPLETE.update(history=history, complete=complete)
    return bool(_COMPLETE["complete"])
